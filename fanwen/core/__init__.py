"""Pure-Python domain core: the document format, structure, counting, segmentation.

Nothing here imports Django; ``tests/core`` checks that.
"""
