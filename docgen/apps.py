from django.apps import AppConfig


class DocgenConfig(AppConfig):
    name = "docgen"
    verbose_name = "公文生成"
