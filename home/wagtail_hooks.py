"""Admin chrome for closed government networks: no links to wagtail.org that cannot open."""

from wagtail import hooks

OFFLINE_HELP_ITEMS = {"editor-guide"}


@hooks.register("construct_help_menu")
def drop_internet_help_links(request, menu_items):
    menu_items[:] = [item for item in menu_items
                     if item.name not in OFFLINE_HELP_ITEMS and not item.name.startswith("whats-new-in-wagtail")]
