"""Registers the admin shows and never edits (publications, reopenings, sent e-mails): the
services write them, the admin only reads them."""


class SolaLetturaMixin:
    """A ``ModelAdmin`` whose rows nobody adds, changes or deletes from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
