from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The client's strings (attach.js, attachments-view.js, viewer.js, voice.js), added to the
# page's js_strings catalog; placeholders are {name}.
JS_STRINGS = {
    "att_photo": _("Photo"),
    "att_photos": _("{count} photos"),
    "att_voice": _("Voice message"),
    "att_files": _("{count} files"),
    "att_open": _("Open {name}"),
    "att_download": _("Download {name}"),
    "att_counter": _("{index} of {count}"),
    "att_upload_failed": _("The upload failed. Check your connection and retry."),
    "att_too_many": _("A message can carry up to {limit} files."),
    "att_too_big": _("This file is larger than {limit} MiB, the limit."),
    "att_uploading": _("Uploading {name}"),
    "att_remove": _("Remove {name}"),
    "att_wait": _("Wait until the files have uploaded, then send."),
    "att_fix_failed": _("A file did not upload: retry it or remove it."),
    "voice_record": _("Record a voice message"),
    "voice_stop": _("Stop recording"),
    "voice_no_microphone": _("The microphone could not be used. Allow it in your browser to record."),
}


class AttachmentsConfig(AppConfig):
    """Photos, PDF files and voice messages in a conversation. Optional: without it, the
    composer has no Attach button and a send that names files is refused."""

    name = "parley.attachments"
    label = "parley_attachments"
    verbose_name = _("Attachments")

    def ready(self):
        from django.db.models.signals import post_delete

        from parley.conversations.policy import messages_purged, register_attachments

        from . import receivers
        from .models import Attachment
        from .services import SendSeam

        from parley.conversations.context_processors import JS_STRINGS as CLIENT_STRINGS

        CLIENT_STRINGS.update(JS_STRINGS)
        register_attachments(SendSeam())
        messages_purged.connect(receivers.purge_with_messages, dispatch_uid="parley_attachments_purge")
        post_delete.connect(receivers.files_follow_rows, sender=Attachment, dispatch_uid="parley_attachments_files")
