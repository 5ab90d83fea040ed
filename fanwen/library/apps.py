from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "fanwen.library"
    label = "library"
    verbose_name = "文库"
