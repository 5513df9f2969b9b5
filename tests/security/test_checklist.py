"""The security suite's index: every item of GUIDE.md §5's checklist and every hole of issue 16,
with the tests that cover it. The test below fails when a listed test is renamed or removed,
so the map stays true; add a line here with each new security test.

Uploads (GUIDE.md §5) are parley.attachments' (issue 13): tests/attachments/.
"""

import importlib

import pytest

CHECKLIST = {
    "access: a non-participant gets 404 on every route": [
        "tests/security/test_checklist_http.py::test_outsider_gets_the_same_404_as_for_a_missing_id",
        "tests/security/test_checklist_http.py::test_outsider_cannot_see_the_conversation_in_lists_or_events",
        "tests/api/test_frames.py::test_a_strangers_conversation_is_not_found_like_a_missing_one",
        "tests/api/test_blocks.py::test_strangers_and_bad_ids_get_the_one_shape",
        "tests/tokens/test_tokens.py::test_devices_are_listed_and_revoked_and_strangers_get_404",
        "tests/tokens/test_views.py::test_someone_elses_device_is_a_404_and_nothing_changes",
        "tests/quickreplies/test_views.py::test_someone_elses_reply_is_a_404_and_nothing_changes",
        "tests/quickreplies/test_api.py::test_strangers_get_404_and_nothing_changes",
        "tests/e2e/test_chat.py::test_non_participant_gets_404",
        "tests/deals/test_frames_api.py::test_the_api_and_a_stranger_gets_404_everywhere",
        "tests/deals/test_meetups_response.py::test_the_ics_file_is_for_participants_only",
        "tests/attachments/test_send.py::test_photos_sent_without_a_caption_reach_both_sides",  # a stranger's file URL
        "tests/attachments/test_send.py::test_a_deleted_message_takes_its_files_off_the_wire_and_the_purge_off_the_disk",
    ],
    "uploads: allowed formats by decoding, never by name or type; a pixel limit; polyglots refused": [
        "tests/attachments/test_upload.py::test_refused_with_a_clear_error_and_nothing_stored",
        "tests/attachments/test_upload.py::test_a_photo_cannot_be_sent_as_a_voice_message",
    ],
    "uploads: re-encoded, EXIF/GPS stripped, orientation applied; names by the server": [
        "tests/attachments/test_upload.py::test_gps_and_exif_survive_in_no_stored_or_served_variant",
        "tests/attachments/test_upload.py::test_orientation_is_applied_before_the_tags_go",
        "tests/attachments/test_upload.py::test_a_path_in_the_name_never_reaches_the_disk",
        "tests/attachments/test_upload.py::test_the_service_refuses_a_path_in_the_name",
    ],
    "uploads: served to participants only, with nosniff and a Content-Disposition": [
        "tests/attachments/test_upload.py::test_served_with_disposition_nosniff_and_no_script",
        "tests/attachments/test_upload.py::test_production_hands_the_file_to_nginx",
        "tests/attachments/test_send.py::test_an_unsent_upload_is_its_uploaders_only",
    ],
    "access: a non-participant gets 404 on every WebSocket command": [
        "tests/security/test_checklist_ws.py::test_outsider_gets_not_found_and_no_events",
        "tests/safety/test_frames.py::test_a_stranger_cannot_be_blocked_and_the_frames_work_over_http",
        "tests/deals/test_frames_api.py::test_accepting_bobs_offer_reaches_carols_socket_live_and_a_stranger_gets_not_found",
    ],
    "access: logged out means a log-in redirect on pages, 401 from the API": [
        "tests/security/test_checklist_http.py::test_logged_out_pages_redirect_to_login",
        "tests/security/test_checklist_http.py::test_logged_out_api_is_401_with_the_error_shape",
    ],
    "CSRF on every state-changing HTTP request": [
        "tests/security/test_checklist_http.py::test_api_post_without_csrf_token_is_refused",
        "tests/security/test_checklist_http.py::test_start_conversation_without_csrf_token_is_refused",
        "tests/security/test_checklist_http.py::test_logout_is_post_only_and_needs_csrf",
        "tests/security/test_hole_api_errors.py::test_a_failed_csrf_check_is_403_csrf_failed",
        "tests/api/test_blocks.py::test_blocks_need_log_in_and_csrf",
        "tests/tokens/test_views.py::test_revoke_needs_post_and_csrf",
        "tests/quickreplies/test_views.py::test_actions_need_post_csrf_and_a_login",
        "tests/quickreplies/test_api.py::test_quick_replies_need_log_in_and_csrf",
        "tests/deals/test_frames_api.py::test_deal_writes_need_csrf_and_a_log_in",
    ],
    "app tokens: hashed, short-lived, rotated, reuse revokes the family, never in a URL": [
        "tests/tokens/test_tokens.py::test_log_in_then_every_endpoint_takes_the_bearer_token_without_csrf",
        "tests/tokens/test_tokens.py::test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family",
        "tests/tokens/test_tokens.py::test_a_password_change_or_a_suspension_ends_the_tokens",
        "tests/tokens/test_tokens.py::test_the_socket_takes_the_token_in_its_subprotocols_and_closes_when_the_device_is_revoked",
        "tests/tokens/test_tokens.py::test_log_in_is_throttled_per_account_like_the_form",
    ],
    "WebSocket: Origin checked against the allowed hosts": [
        "tests/security/test_checklist_ws.py::test_cross_site_origin_is_refused",
        "tests/security/test_checklist_ws.py::test_another_allowed_host_scheme_or_port_is_refused",
        "tests/security/test_hole_origin.py::test_other_origins_are_refused",
    ],
    "WebSocket: an unauthenticated socket is refused": [
        "tests/security/test_checklist_ws.py::test_unauthenticated_socket_is_refused",
    ],
    "WebSocket: logging out closes the user's sockets": [
        "tests/security/test_checklist_ws.py::test_logout_closes_that_sessions_sockets",
    ],
    "bodies: stored verbatim within limits, control characters refused": [
        "tests/conversations/test_services.py::test_body_is_trimmed_and_otherwise_stored_verbatim",
        "tests/conversations/test_services.py::test_too_long_body_error_says_the_limit",
        "tests/conversations/test_text.py::test_control_character_error_names_the_character",
    ],
    "bodies: rendered escaped; links only for http(s), rel=noopener noreferrer nofollow": [
        "tests/e2e/test_chat.py::test_markup_in_messages_shows_as_plain_text",
        "tests/e2e/test_chat.py::test_buyer_contacts_seller_and_they_chat_live",  # the link's rel
    ],
    "limits: a maximum frame size": [
        "tests/realtime/test_frame_edges.py::test_the_frame_limit_counts_bytes_not_characters",
    ],
    "limits: malformed frames get an error frame and the socket stays usable": [
        "tests/security/test_checklist_ws.py::test_bad_frames_get_an_error_frame_and_the_socket_stays_usable",
        "tests/security/test_checklist_ws.py::test_binary_frames_are_answered_too",
    ],
    "limits: per-user rate limits with a clear error and retry-after": [
        "tests/conversations/test_services.py::test_rate_limit_refuses_with_retry_after_and_saves_nothing",
        "tests/security/test_hole_socket_caps.py::test_read_and_sync_frames_are_rate_limited_per_user",
        "tests/security/test_new_account_limits.py::test_the_api_says_when_to_try_again",
        "tests/attachments/test_upload.py::test_upload_rate_limit",
        "tests/attachments/test_upload.py::test_daily_volume_limit",
    ],
    "production settings pass check --deploy; security headers and CSP": [
        "tests/test_settings.py::test_check_deploy_passes_in_production",
        "tests/security/test_checklist_http.py::test_security_headers",
    ],
    "hole 1: one bad frame fails other users' sends": [
        "tests/security/test_hole_batch_isolation.py::test_hostile_requests_never_change_the_honest_ones_outcome",
        "tests/security/test_hole_batch_isolation.py::test_ids_out_of_range_or_of_the_wrong_kind_are_not_found_and_fail_alone",
    ],
    "hole 2: a deactivated user's open socket keeps working": [
        "tests/security/test_hole_inactive_users.py::test_deactivation_and_a_new_password_close_every_socket_of_that_user",
        "tests/security/test_hole_inactive_users.py::test_the_send_path_refuses_an_inactive_sender_and_only_them",
    ],
    "hole 3: no log-in throttling": [
        "tests/security/test_login_throttle.py::test_an_account_is_throttled_after_5_failures_even_with_the_right_password",
        "tests/security/test_login_throttle.py::test_an_address_is_throttled_across_accounts",
    ],
    "hole 4: /healthz is 503 while Redis is down": [
        "tests/security/test_hole_health.py::test_redis_down_is_degraded_not_unready",
    ],
    "hole 5: a database outage gives 500 pages and 403 handshakes": [
        "tests/security/test_hole_db_outage.py::test_pages_answer_a_503_page_during_an_outage",
        "tests/security/test_hole_db_outage.py::test_handshake_is_accepted_then_closed_1013",
    ],
    "hole 6: an encoded .. under /static/": [
        "tests/security/test_hole_static.py::test_inprocess_traversal_is_404_with_nosniff",
        "tests/security/test_hole_static.py::test_live_traversal_is_never_a_500",
    ],
    "hole 7: the frame limit counts characters": [
        "tests/realtime/test_frame_edges.py::test_the_frame_limit_counts_bytes_not_characters",
    ],
    "hole 8: no socket cap, no read/sync rate limit, no header timeout": [
        "tests/security/test_hole_socket_caps.py::test_socket_cap_refuses_the_new_socket_with_4429",
        "tests/security/test_hole_socket_caps.py::test_read_and_sync_frames_are_rate_limited_per_user",
        "tests/security/test_hole_socket_caps.py::test_header_read_timeout_closes_a_slow_client",
    ],
    "hole 9: the Origin check compares hosts only": [
        "tests/security/test_hole_origin.py::test_other_origins_are_refused",
    ],
    "hole 10: API errors that leave the one shape": [
        "tests/security/test_hole_api_errors.py::test_every_unknown_path_and_non_matching_id_is_a_json_404",
        "tests/security/test_hole_api_errors.py::test_an_unparsable_body_is_400_bad_json",
        "tests/security/test_hole_api_errors.py::test_a_3_mb_body_is_413_with_the_default_limit",
        "tests/security/test_hole_api_errors.py::test_ids_in_bodies_are_strict_integers_in_range",
    ],
}


@pytest.mark.parametrize("item", sorted(CHECKLIST))
def test_every_item_names_tests_that_exist(item):
    for node in CHECKLIST[item]:
        path, name = node.split("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, name, None)), f"{item}: {node} is gone; update tests/security/test_checklist.py"
