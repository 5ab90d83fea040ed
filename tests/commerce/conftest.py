from tests.commerce.providers_setup import real_providers

__all__ = ["real_providers"]
