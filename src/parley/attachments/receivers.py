"""What attachments do when conversations tell them something happened."""

from django.db import transaction

from .services import attachments_purge_messages, delete_files


def purge_with_messages(sender, message_ids, **kwargs) -> None:
    """Messages deleted under the retention rules take their files with them."""
    attachments_purge_messages(message_ids=message_ids)


def files_follow_rows(sender, instance, **kwargs) -> None:
    """A deleted row (a purge, or a cascade from its message or its owner) takes its files after the commit."""
    names = instance.storage_names()
    transaction.on_commit(lambda: delete_files(names))
