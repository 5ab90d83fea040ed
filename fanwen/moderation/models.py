"""Near-duplicate signatures, their LSH band rows, and the matches found for staff.

Nothing here is ever shown to an uploader: the matches are for the review queue only."""

from __future__ import annotations

from django.db import models

from fanwen.library.models import Document


class Signature(models.Model):
    """The MinHash signature of a document's whole text (free and paid): NUM_PERM uint32, little-endian."""

    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="+")
    minhash = models.BinaryField("签名", max_length=1024)
    created_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "文本签名"

    def __str__(self) -> str:
        return f"signature of #{self.document_id}"


class Band(models.Model):
    """One LSH band of a signature: documents sharing a row's ``hash`` are candidates.  The band
    number is mixed into the hash (core.neardup.bands), so one indexed column serves every band."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+", db_index=False)
    hash = models.BigIntegerField("分段哈希")

    class Meta:
        indexes = [models.Index(fields=["hash"], name="dupe_band_hash"),
                   models.Index(fields=["document"], name="dupe_band_doc")]
        verbose_name = verbose_name_plural = "签名分段"

    def __str__(self) -> str:
        return f"#{self.document_id} band {self.hash:x}"


class DuplicateMatch(models.Model):
    """``document`` (under review) looks like ``other`` (already in the library) at ``similarity``."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField("相似度")
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        ordering = ["document", "-similarity"]
        constraints = [models.UniqueConstraint(fields=["document", "other"], name="dupe_match_once")]
        verbose_name = verbose_name_plural = "疑似重复"

    def __str__(self) -> str:
        return f"#{self.document_id} ≈ #{self.other_id} {self.percent}%"

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)
