/* OID constants: see oid.h (generated from reference/mhs-oids.txt). */
#include "config.h"

#include <string.h>

#include "asn1/oid.h"

#define OID_DEF(cname, ...) \
    static const uint8_t cname##_octets[] = { __VA_ARGS__ }; \
    const struct ber_slice cname = { cname##_octets, sizeof(cname##_octets) };


/* ASN.1 */
OID_DEF(oid_ber, 0x51, 0x01) /* 2.1.1 */

/* ACSE */
OID_DEF(oid_acse_as, 0x52, 0x01, 0x00, 0x01) /* 2.2.1.0.1 */
OID_DEF(oid_acse_ase, 0x52, 0x03, 0x01, 0x01) /* 2.2.3.1.1 */

/* IPMSObjectIdentifiers */
OID_DEF(oid_ipm_cont_p2_84, 0x56, 0x01, 0x0a, 0x00) /* 2.6.1.10.0 */
OID_DEF(oid_ipm_cont_p22, 0x56, 0x01, 0x0a, 0x01) /* 2.6.1.10.1 */
OID_DEF(oid_ipm_hat_originator, 0x56, 0x01, 0x07, 0x02) /* 2.6.1.7.2 */
OID_DEF(oid_ipm_hat_subject, 0x56, 0x01, 0x07, 0x04) /* 2.6.1.7.4 */
OID_DEF(oid_ipm_hat_importance, 0x56, 0x01, 0x07, 0x07) /* 2.6.1.7.7 */
OID_DEF(oid_ipm_hat_precedence, 0x56, 0x01, 0x07, 0x25) /* 2.6.1.7.37 */

/* MHSProtocolObjectIdentifiers */
OID_DEF(oid_mhs_protocols, 0x56, 0x00) /* 2.6.0 */
OID_DEF(oid_mod, 0x56, 0x00, 0x00) /* 2.6.0.0 */
OID_DEF(oid_mod_object_identifiers, 0x56, 0x00, 0x00, 0x00) /* 2.6.0.0.0 */
OID_DEF(oid_mod_mts_access_protocol, 0x56, 0x00, 0x00, 0x01) /* 2.6.0.0.1 */
OID_DEF(oid_mod_ms_access_protocol, 0x56, 0x00, 0x00, 0x02) /* 2.6.0.0.2 */
OID_DEF(oid_mod_mts_transfer_protocol, 0x56, 0x00, 0x00, 0x03) /* 2.6.0.0.3 */
OID_DEF(oid_ac, 0x56, 0x00, 0x01) /* 2.6.0.1 */
OID_DEF(oid_ac_mts_access_88, 0x56, 0x00, 0x01, 0x00) /* 2.6.0.1.0 */
OID_DEF(oid_ac_mts_forced_access_88, 0x56, 0x00, 0x01, 0x01) /* 2.6.0.1.1 */
OID_DEF(oid_ac_mts_reliable_access_88, 0x56, 0x00, 0x01, 0x02) /* 2.6.0.1.2 */
OID_DEF(oid_ac_mts_forced_reliable_access_88, 0x56, 0x00, 0x01, 0x03) /* 2.6.0.1.3 */
OID_DEF(oid_ac_ms_access_88, 0x56, 0x00, 0x01, 0x04) /* 2.6.0.1.4 */
OID_DEF(oid_ac_ms_reliable_access_88, 0x56, 0x00, 0x01, 0x05) /* 2.6.0.1.5 */
OID_DEF(oid_ac_mts_transfer, 0x56, 0x00, 0x01, 0x06) /* 2.6.0.1.6 */
OID_DEF(oid_ac_mts_access_94, 0x56, 0x00, 0x01, 0x07) /* 2.6.0.1.7 */
OID_DEF(oid_ac_mts_forced_access_94, 0x56, 0x00, 0x01, 0x08) /* 2.6.0.1.8 */
OID_DEF(oid_ac_mts_reliable_access_94, 0x56, 0x00, 0x01, 0x09) /* 2.6.0.1.9 */
OID_DEF(oid_ac_mts_forced_reliable_access_94, 0x56, 0x00, 0x01, 0x0a) /* 2.6.0.1.10 */
OID_DEF(oid_ac_ms_access_94, 0x56, 0x00, 0x01, 0x0b) /* 2.6.0.1.11 */
OID_DEF(oid_ac_ms_reliable_access_94, 0x56, 0x00, 0x01, 0x0c) /* 2.6.0.1.12 */
OID_DEF(oid_as, 0x56, 0x00, 0x02) /* 2.6.0.2 */
OID_DEF(oid_as_msse, 0x56, 0x00, 0x02, 0x01) /* 2.6.0.2.1 */
OID_DEF(oid_as_mdse_88, 0x56, 0x00, 0x02, 0x02) /* 2.6.0.2.2 */
OID_DEF(oid_as_mrse_88, 0x56, 0x00, 0x02, 0x05) /* 2.6.0.2.5 */
OID_DEF(oid_as_mase_88, 0x56, 0x00, 0x02, 0x06) /* 2.6.0.2.6 */
OID_DEF(oid_as_mtse, 0x56, 0x00, 0x02, 0x07) /* 2.6.0.2.7 */
OID_DEF(oid_as_mts_rtse, 0x56, 0x00, 0x02, 0x08) /* 2.6.0.2.8 */
OID_DEF(oid_as_ms_88, 0x56, 0x00, 0x02, 0x09) /* 2.6.0.2.9 */
OID_DEF(oid_as_ms_rtse, 0x56, 0x00, 0x02, 0x0a) /* 2.6.0.2.10 */
OID_DEF(oid_as_mts, 0x56, 0x00, 0x02, 0x0b) /* 2.6.0.2.11 */
OID_DEF(oid_as_mta_rtse, 0x56, 0x00, 0x02, 0x0c) /* 2.6.0.2.12 */
OID_DEF(oid_as_ms_msse, 0x56, 0x00, 0x02, 0x0d) /* 2.6.0.2.13 */
OID_DEF(oid_as_mdse_94, 0x56, 0x00, 0x02, 0x0e) /* 2.6.0.2.14 */
OID_DEF(oid_as_mrse_94, 0x56, 0x00, 0x02, 0x0f) /* 2.6.0.2.15 */
OID_DEF(oid_as_mase_94, 0x56, 0x00, 0x02, 0x10) /* 2.6.0.2.16 */
OID_DEF(oid_as_ms_94, 0x56, 0x00, 0x02, 0x11) /* 2.6.0.2.17 */
OID_DEF(oid_ase, 0x56, 0x00, 0x03) /* 2.6.0.3 */
OID_DEF(oid_ase_msse, 0x56, 0x00, 0x03, 0x00) /* 2.6.0.3.0 */
OID_DEF(oid_ase_mdse, 0x56, 0x00, 0x03, 0x01) /* 2.6.0.3.1 */
OID_DEF(oid_ase_mrse, 0x56, 0x00, 0x03, 0x02) /* 2.6.0.3.2 */
OID_DEF(oid_ase_mase, 0x56, 0x00, 0x03, 0x03) /* 2.6.0.3.3 */
OID_DEF(oid_ase_mtse, 0x56, 0x00, 0x03, 0x04) /* 2.6.0.3.4 */

/* MTSObjectIdentifiers */
OID_DEF(oid_mts_mts, 0x56, 0x03) /* 2.6.3 */
OID_DEF(oid_mts_mod, 0x56, 0x03, 0x00) /* 2.6.3.0 */
OID_DEF(oid_mts_mod_object_identifiers, 0x56, 0x03, 0x00, 0x00) /* 2.6.3.0.0 */
OID_DEF(oid_mts_mod_mts_abstract_service, 0x56, 0x03, 0x00, 0x01) /* 2.6.3.0.1 */
OID_DEF(oid_mts_mod_mta_abstract_service, 0x56, 0x03, 0x00, 0x02) /* 2.6.3.0.2 */
OID_DEF(oid_mts_mod_upper_bounds, 0x56, 0x03, 0x00, 0x03) /* 2.6.3.0.3 */
OID_DEF(oid_mts_ot, 0x56, 0x03, 0x01) /* 2.6.3.1 */
OID_DEF(oid_mts_ot_mts, 0x56, 0x03, 0x01, 0x00) /* 2.6.3.1.0 */
OID_DEF(oid_mts_ot_mts_user, 0x56, 0x03, 0x01, 0x01) /* 2.6.3.1.1 */
OID_DEF(oid_mts_ot_mta, 0x56, 0x03, 0x01, 0x02) /* 2.6.3.1.2 */
OID_DEF(oid_mts_pt, 0x56, 0x03, 0x02) /* 2.6.3.2 */
OID_DEF(oid_mts_pt_submission, 0x56, 0x03, 0x02, 0x00) /* 2.6.3.2.0 */
OID_DEF(oid_mts_pt_delivery, 0x56, 0x03, 0x02, 0x01) /* 2.6.3.2.1 */
OID_DEF(oid_mts_pt_administration, 0x56, 0x03, 0x02, 0x02) /* 2.6.3.2.2 */
OID_DEF(oid_mts_pt_transfer, 0x56, 0x03, 0x02, 0x03) /* 2.6.3.2.3 */
OID_DEF(oid_mts_cont, 0x56, 0x03, 0x03) /* 2.6.3.3 */
OID_DEF(oid_mts_cont_unidentified, 0x56, 0x03, 0x03, 0x00) /* 2.6.3.3.0 */
OID_DEF(oid_mts_cont_inner_envelope, 0x56, 0x03, 0x03, 0x01) /* 2.6.3.3.1 */
OID_DEF(oid_mts_eit, 0x56, 0x03, 0x04) /* 2.6.3.4 */
OID_DEF(oid_mts_eit_unknown, 0x56, 0x03, 0x04, 0x00) /* 2.6.3.4.0 */
OID_DEF(oid_mts_eit_ia5_text, 0x56, 0x03, 0x04, 0x02) /* 2.6.3.4.2 */
OID_DEF(oid_mts_eit_g3_facsimile, 0x56, 0x03, 0x04, 0x03) /* 2.6.3.4.3 */
OID_DEF(oid_mts_eit_g4_class_1, 0x56, 0x03, 0x04, 0x04) /* 2.6.3.4.4 */
OID_DEF(oid_mts_eit_teletex, 0x56, 0x03, 0x04, 0x05) /* 2.6.3.4.5 */
OID_DEF(oid_mts_eit_videotex, 0x56, 0x03, 0x04, 0x06) /* 2.6.3.4.6 */
OID_DEF(oid_mts_eit_voice, 0x56, 0x03, 0x04, 0x07) /* 2.6.3.4.7 */
OID_DEF(oid_mts_eit_sfd, 0x56, 0x03, 0x04, 0x08) /* 2.6.3.4.8 */
OID_DEF(oid_mts_eit_mixed_mode, 0x56, 0x03, 0x04, 0x09) /* 2.6.3.4.9 */
OID_DEF(oid_mts_att, 0x56, 0x03, 0x05) /* 2.6.3.5 */
OID_DEF(oid_mts_att_physicalrendition_basic, 0x56, 0x03, 0x05, 0x00) /* 2.6.3.5.0 */
OID_DEF(oid_mts_att_physicalrendition_no_cover_page, 0x56, 0x03, 0x05, 0x01) /* 2.6.3.5.1 */
OID_DEF(oid_mts_tok, 0x56, 0x03, 0x06) /* 2.6.3.6 */
OID_DEF(oid_mts_tok_asymmetrictoken, 0x56, 0x03, 0x06, 0x00) /* 2.6.3.6.0 */
OID_DEF(oid_mts_sa, 0x56, 0x03, 0x07) /* 2.6.3.7 */
OID_DEF(oid_mts_sa_ua, 0x56, 0x03, 0x07, 0x00) /* 2.6.3.7.0 */
OID_DEF(oid_mts_sa_ms, 0x56, 0x03, 0x07, 0x01) /* 2.6.3.7.1 */
OID_DEF(oid_mts_ct, 0x56, 0x03, 0x08) /* 2.6.3.8 */
OID_DEF(oid_mts_ct_mts_access, 0x56, 0x03, 0x08, 0x00) /* 2.6.3.8.0 */
OID_DEF(oid_mts_ct_mts_forced_access, 0x56, 0x03, 0x08, 0x01) /* 2.6.3.8.1 */
OID_DEF(oid_mts_ct_mta_transfer, 0x56, 0x03, 0x08, 0x02) /* 2.6.3.8.2 */
OID_DEF(oid_mts_cp, 0x56, 0x03, 0x09) /* 2.6.3.9 */
OID_DEF(oid_mts_cp_mts_connect, 0x56, 0x03, 0x09, 0x00) /* 2.6.3.9.0 */
OID_DEF(oid_mts_cp_mta_connect, 0x56, 0x03, 0x09, 0x01) /* 2.6.3.9.1 */

/* MSObjectIdentifiers */
OID_DEF(oid_ms_mod, 0x56, 0x04, 0x00) /* 2.6.4.0 */
OID_DEF(oid_ms_mod_object_identifiers, 0x56, 0x04, 0x00, 0x00) /* 2.6.4.0.0 */
OID_DEF(oid_ms_mod_abstract_service, 0x56, 0x04, 0x00, 0x01) /* 2.6.4.0.1 */
OID_DEF(oid_ms_mod_attribute_types, 0x56, 0x04, 0x00, 0x02) /* 2.6.4.0.2 */
OID_DEF(oid_ms_mod_action_types, 0x56, 0x04, 0x00, 0x03) /* 2.6.4.0.3 */
OID_DEF(oid_ms_mod_upper_bounds, 0x56, 0x04, 0x00, 0x04) /* 2.6.4.0.4 */
OID_DEF(oid_ms_mod_matching_rules, 0x56, 0x04, 0x00, 0x05) /* 2.6.4.0.5 */
OID_DEF(oid_ms_ot, 0x56, 0x04, 0x01) /* 2.6.4.1 */
OID_DEF(oid_ms_ot_ms, 0x56, 0x04, 0x01, 0x00) /* 2.6.4.1.0 */
OID_DEF(oid_ms_ot_ms_user, 0x56, 0x04, 0x01, 0x01) /* 2.6.4.1.1 */
OID_DEF(oid_ms_pt, 0x56, 0x04, 0x02) /* 2.6.4.2 */
OID_DEF(oid_ms_pt_retrieval_88, 0x56, 0x04, 0x02, 0x00) /* 2.6.4.2.0 */
OID_DEF(oid_ms_pt_retrieval_94, 0x56, 0x04, 0x02, 0x01) /* 2.6.4.2.1 */
OID_DEF(oid_ms_pt_ms_submission, 0x56, 0x04, 0x02, 0x02) /* 2.6.4.2.2 */
OID_DEF(oid_ms_att, 0x56, 0x04, 0x03) /* 2.6.4.3 */
OID_DEF(oid_ms_att_child_sequence_numbers, 0x56, 0x04, 0x03, 0x00) /* 2.6.4.3.0 */
OID_DEF(oid_ms_att_content, 0x56, 0x04, 0x03, 0x01) /* 2.6.4.3.1 */
OID_DEF(oid_ms_att_content_confidentiality_algorithm_identifier, 0x56, 0x04, 0x03, 0x02) /* 2.6.4.3.2 */
OID_DEF(oid_ms_att_content_correlator, 0x56, 0x04, 0x03, 0x03) /* 2.6.4.3.3 */
OID_DEF(oid_ms_att_content_identifier, 0x56, 0x04, 0x03, 0x04) /* 2.6.4.3.4 */
OID_DEF(oid_ms_att_content_integrity_check, 0x56, 0x04, 0x03, 0x05) /* 2.6.4.3.5 */
OID_DEF(oid_ms_att_content_length, 0x56, 0x04, 0x03, 0x06) /* 2.6.4.3.6 */
OID_DEF(oid_ms_att_content_returned, 0x56, 0x04, 0x03, 0x07) /* 2.6.4.3.7 */
OID_DEF(oid_ms_att_content_type, 0x56, 0x04, 0x03, 0x08) /* 2.6.4.3.8 */
OID_DEF(oid_ms_att_conversion_with_loss_prohibited, 0x56, 0x04, 0x03, 0x09) /* 2.6.4.3.9 */
OID_DEF(oid_ms_att_converted_eits, 0x56, 0x04, 0x03, 0x0a) /* 2.6.4.3.10 */
OID_DEF(oid_ms_att_creation_time, 0x56, 0x04, 0x03, 0x0b) /* 2.6.4.3.11 */
OID_DEF(oid_ms_att_delivered_eits, 0x56, 0x04, 0x03, 0x0c) /* 2.6.4.3.12 */
OID_DEF(oid_ms_att_delivery_flags, 0x56, 0x04, 0x03, 0x0d) /* 2.6.4.3.13 */
OID_DEF(oid_ms_att_dl_expansion_history, 0x56, 0x04, 0x03, 0x0e) /* 2.6.4.3.14 */
OID_DEF(oid_ms_att_retrieval_status, 0x56, 0x04, 0x03, 0x0f) /* 2.6.4.3.15 */
OID_DEF(oid_ms_att_entry_type, 0x56, 0x04, 0x03, 0x10) /* 2.6.4.3.16 */
OID_DEF(oid_ms_att_originally_intended_recipient_name, 0x56, 0x04, 0x03, 0x11) /* 2.6.4.3.17 */
OID_DEF(oid_ms_att_message_delivery_envelope, 0x56, 0x04, 0x03, 0x12) /* 2.6.4.3.18 */
OID_DEF(oid_ms_att_message_identifier, 0x56, 0x04, 0x03, 0x13) /* 2.6.4.3.19 */
OID_DEF(oid_ms_att_message_delivery_time, 0x56, 0x04, 0x03, 0x14) /* 2.6.4.3.20 */
OID_DEF(oid_ms_att_message_origin_authentication_check, 0x56, 0x04, 0x03, 0x15) /* 2.6.4.3.21 */
OID_DEF(oid_ms_att_message_security_label, 0x56, 0x04, 0x03, 0x16) /* 2.6.4.3.22 */
OID_DEF(oid_ms_att_message_submission_time, 0x56, 0x04, 0x03, 0x17) /* 2.6.4.3.23 */
OID_DEF(oid_ms_att_message_token, 0x56, 0x04, 0x03, 0x18) /* 2.6.4.3.24 */
OID_DEF(oid_ms_att_original_eits, 0x56, 0x04, 0x03, 0x19) /* 2.6.4.3.25 */
OID_DEF(oid_ms_att_originator_certificate, 0x56, 0x04, 0x03, 0x1a) /* 2.6.4.3.26 */
OID_DEF(oid_ms_att_originator_name, 0x56, 0x04, 0x03, 0x1b) /* 2.6.4.3.27 */
OID_DEF(oid_ms_att_other_recipient_names, 0x56, 0x04, 0x03, 0x1c) /* 2.6.4.3.28 */
OID_DEF(oid_ms_att_parent_sequence_number, 0x56, 0x04, 0x03, 0x1d) /* 2.6.4.3.29 */
OID_DEF(oid_ms_att_per_recipient_report_delivery_fields, 0x56, 0x04, 0x03, 0x1e) /* 2.6.4.3.30 */
OID_DEF(oid_ms_att_priority, 0x56, 0x04, 0x03, 0x1f) /* 2.6.4.3.31 */
OID_DEF(oid_ms_att_proof_of_delivery_request, 0x56, 0x04, 0x03, 0x20) /* 2.6.4.3.32 */
OID_DEF(oid_ms_att_redirection_history, 0x56, 0x04, 0x03, 0x21) /* 2.6.4.3.33 */
OID_DEF(oid_ms_att_report_delivery_envelope, 0x56, 0x04, 0x03, 0x22) /* 2.6.4.3.34 */
OID_DEF(oid_ms_att_reporting_dl_name, 0x56, 0x04, 0x03, 0x23) /* 2.6.4.3.35 */
OID_DEF(oid_ms_att_reporting_mta_certificate, 0x56, 0x04, 0x03, 0x24) /* 2.6.4.3.36 */
OID_DEF(oid_ms_att_report_origin_authentication_check, 0x56, 0x04, 0x03, 0x25) /* 2.6.4.3.37 */
OID_DEF(oid_ms_att_security_classification, 0x56, 0x04, 0x03, 0x26) /* 2.6.4.3.38 */
OID_DEF(oid_ms_att_sequence_number, 0x56, 0x04, 0x03, 0x27) /* 2.6.4.3.39 */
OID_DEF(oid_ms_att_subject_submission_identifier, 0x56, 0x04, 0x03, 0x28) /* 2.6.4.3.40 */
OID_DEF(oid_ms_att_this_recipient_name, 0x56, 0x04, 0x03, 0x29) /* 2.6.4.3.41 */
OID_DEF(oid_ms_att_ac_correlated_report_list, 0x56, 0x04, 0x03, 0x2a) /* 2.6.4.3.42 */
OID_DEF(oid_ms_att_ac_report_summary, 0x56, 0x04, 0x03, 0x2b) /* 2.6.4.3.43 */
OID_DEF(oid_ms_att_ac_uncorrelated_report_list, 0x56, 0x04, 0x03, 0x2c) /* 2.6.4.3.44 */
OID_DEF(oid_ms_att_auto_action_error, 0x56, 0x04, 0x03, 0x2e) /* 2.6.4.3.46 */
OID_DEF(oid_ms_att_auto_action_registration_identifier, 0x56, 0x04, 0x03, 0x2f) /* 2.6.4.3.47 */
OID_DEF(oid_ms_att_auto_action_subject_entry, 0x56, 0x04, 0x03, 0x30) /* 2.6.4.3.48 */
OID_DEF(oid_ms_att_auto_action_type, 0x56, 0x04, 0x03, 0x31) /* 2.6.4.3.49 */
OID_DEF(oid_ms_att_deferred_delivery_cancellation_time, 0x56, 0x04, 0x03, 0x32) /* 2.6.4.3.50 */
OID_DEF(oid_ms_att_deferred_delivery_time, 0x56, 0x04, 0x03, 0x33) /* 2.6.4.3.51 */
OID_DEF(oid_ms_att_deletion_time, 0x56, 0x04, 0x03, 0x34) /* 2.6.4.3.52 */
OID_DEF(oid_ms_att_dl_expansion_prohibited, 0x56, 0x04, 0x03, 0x35) /* 2.6.4.3.53 */
OID_DEF(oid_ms_att_internal_trace_information, 0x56, 0x04, 0x03, 0x36) /* 2.6.4.3.54 */
OID_DEF(oid_ms_att_latest_delivery_time, 0x56, 0x04, 0x03, 0x37) /* 2.6.4.3.55 */
OID_DEF(oid_ms_att_marked_for_deletion, 0x56, 0x04, 0x03, 0x38) /* 2.6.4.3.56 */
OID_DEF(oid_ms_att_message_group_name, 0x56, 0x04, 0x03, 0x39) /* 2.6.4.3.57 */
OID_DEF(oid_ms_att_message_notes, 0x56, 0x04, 0x03, 0x3a) /* 2.6.4.3.58 */
OID_DEF(oid_ms_att_message_submission_envelope, 0x56, 0x04, 0x03, 0x3b) /* 2.6.4.3.59 */
OID_DEF(oid_ms_att_ms_originated, 0x56, 0x04, 0x03, 0x3c) /* 2.6.4.3.60 */
OID_DEF(oid_ms_att_ms_submission_error, 0x56, 0x04, 0x03, 0x3d) /* 2.6.4.3.61 */
OID_DEF(oid_ms_att_originating_mta_certificate, 0x56, 0x04, 0x03, 0x3e) /* 2.6.4.3.62 */
OID_DEF(oid_ms_att_originator_report_request, 0x56, 0x04, 0x03, 0x3f) /* 2.6.4.3.63 */
OID_DEF(oid_ms_att_originator_return_address, 0x56, 0x04, 0x03, 0x40) /* 2.6.4.3.64 */
OID_DEF(oid_ms_att_per_message_indicators, 0x56, 0x04, 0x03, 0x41) /* 2.6.4.3.65 */
OID_DEF(oid_ms_att_per_recipient_message_submission_fields, 0x56, 0x04, 0x03, 0x42) /* 2.6.4.3.66 */
OID_DEF(oid_ms_att_per_recipient_probe_submission_fields, 0x56, 0x04, 0x03, 0x43) /* 2.6.4.3.67 */
OID_DEF(oid_ms_att_probe_origin_authentication_check, 0x56, 0x04, 0x03, 0x44) /* 2.6.4.3.68 */
OID_DEF(oid_ms_att_probe_submission_envelope, 0x56, 0x04, 0x03, 0x45) /* 2.6.4.3.69 */
OID_DEF(oid_ms_att_proof_of_submission, 0x56, 0x04, 0x03, 0x46) /* 2.6.4.3.70 */
OID_DEF(oid_ms_att_recipient_names, 0x56, 0x04, 0x03, 0x47) /* 2.6.4.3.71 */
OID_DEF(oid_ms_att_recipient_reassignment_prohibited, 0x56, 0x04, 0x03, 0x48) /* 2.6.4.3.72 */
OID_DEF(oid_ms_att_storage_period, 0x56, 0x04, 0x03, 0x49) /* 2.6.4.3.73 */
OID_DEF(oid_ms_att_storage_time, 0x56, 0x04, 0x03, 0x4a) /* 2.6.4.3.74 */
OID_DEF(oid_ms_att_trace_information, 0x56, 0x04, 0x03, 0x4b) /* 2.6.4.3.75 */
OID_DEF(oid_ms_att_ac_report_subject_entry, 0x56, 0x04, 0x03, 0x4c) /* 2.6.4.3.76 */
OID_DEF(oid_ms_att_locally_originated, 0x56, 0x04, 0x03, 0x4d) /* 2.6.4.3.77 */
OID_DEF(oid_ms_att_dl_exempted_recipients, 0x56, 0x04, 0x03, 0x4e) /* 2.6.4.3.78 */
OID_DEF(oid_ms_att_signature_verification_status, 0x56, 0x04, 0x03, 0x4f) /* 2.6.4.3.79 */
OID_DEF(oid_ms_att_certificate_selectors, 0x56, 0x04, 0x03, 0x50) /* 2.6.4.3.80 */
OID_DEF(oid_ms_att_multiple_originator_certificates, 0x56, 0x04, 0x03, 0x51) /* 2.6.4.3.81 */
OID_DEF(oid_ms_att_recipient_certificate, 0x56, 0x04, 0x03, 0x52) /* 2.6.4.3.82 */
OID_DEF(oid_ms_act, 0x56, 0x04, 0x04) /* 2.6.4.4 */
OID_DEF(oid_ms_act_ipm_auto_forward, 0x56, 0x04, 0x04, 0x00) /* 2.6.4.4.0 */
OID_DEF(oid_ms_act_auto_alert, 0x56, 0x04, 0x04, 0x01) /* 2.6.4.4.1 */
OID_DEF(oid_ms_act_auto_correlate_reports, 0x56, 0x04, 0x04, 0x02) /* 2.6.4.4.2 */
OID_DEF(oid_ms_act_auto_delete, 0x56, 0x04, 0x04, 0x03) /* 2.6.4.4.3 */
OID_DEF(oid_ms_act_auto_modify, 0x56, 0x04, 0x04, 0x04) /* 2.6.4.4.4 */
OID_DEF(oid_ms_crt, 0x56, 0x04, 0x05) /* 2.6.4.5 */
OID_DEF(oid_ms_crt_ms_access_88, 0x56, 0x04, 0x05, 0x00) /* 2.6.4.5.0 */
OID_DEF(oid_ms_crt_ms_access_94, 0x56, 0x04, 0x05, 0x01) /* 2.6.4.5.1 */
OID_DEF(oid_ms_cp, 0x56, 0x04, 0x06) /* 2.6.4.6 */
OID_DEF(oid_ms_cp_ms_connection, 0x56, 0x04, 0x06, 0x00) /* 2.6.4.6.0 */
OID_DEF(oid_ms_aae, 0x56, 0x04, 0x07) /* 2.6.4.7 */
OID_DEF(oid_ms_aae_auto_alert_error, 0x56, 0x04, 0x07, 0x00) /* 2.6.4.7.0 */
OID_DEF(oid_ms_mr, 0x56, 0x04, 0x08) /* 2.6.4.8 */
OID_DEF(oid_ms_mr_content_correlator_match, 0x56, 0x04, 0x08, 0x01) /* 2.6.4.8.1 */
OID_DEF(oid_ms_mr_content_identifier_match, 0x56, 0x04, 0x08, 0x02) /* 2.6.4.8.2 */
OID_DEF(oid_ms_mr_ms_single_substring_list_elements_match, 0x56, 0x04, 0x08, 0x03) /* 2.6.4.8.3 */
OID_DEF(oid_ms_mr_ms_single_substring_list_match, 0x56, 0x04, 0x08, 0x04) /* 2.6.4.8.4 */
OID_DEF(oid_ms_mr_ms_single_substring_match, 0x56, 0x04, 0x08, 0x05) /* 2.6.4.8.5 */
OID_DEF(oid_ms_mr_ms_substrings_match, 0x56, 0x04, 0x08, 0x06) /* 2.6.4.8.6 */
OID_DEF(oid_ms_mr_msstring_case_sensitive_match, 0x56, 0x04, 0x08, 0x07) /* 2.6.4.8.7 */
OID_DEF(oid_ms_mr_msstring_list_elements_match, 0x56, 0x04, 0x08, 0x08) /* 2.6.4.8.8 */
OID_DEF(oid_ms_mr_msstring_list_match, 0x56, 0x04, 0x08, 0x09) /* 2.6.4.8.9 */
OID_DEF(oid_ms_mr_msstring_match, 0x56, 0x04, 0x08, 0x0a) /* 2.6.4.8.10 */
OID_DEF(oid_ms_mr_msstring_ordering_match, 0x56, 0x04, 0x08, 0x0b) /* 2.6.4.8.11 */
OID_DEF(oid_ms_mr_mts_identifier_match, 0x56, 0x04, 0x08, 0x0c) /* 2.6.4.8.12 */
OID_DEF(oid_ms_mr_oraddress_elements_match, 0x56, 0x04, 0x08, 0x0d) /* 2.6.4.8.13 */
OID_DEF(oid_ms_mr_oraddress_match, 0x56, 0x04, 0x08, 0x0e) /* 2.6.4.8.14 */
OID_DEF(oid_ms_mr_oraddress_substring_elements_match, 0x56, 0x04, 0x08, 0x0f) /* 2.6.4.8.15 */
OID_DEF(oid_ms_mr_orname_elements_match, 0x56, 0x04, 0x08, 0x10) /* 2.6.4.8.16 */
OID_DEF(oid_ms_mr_orname_match, 0x56, 0x04, 0x08, 0x11) /* 2.6.4.8.17 */
OID_DEF(oid_ms_mr_orname_single_element_match, 0x56, 0x04, 0x08, 0x12) /* 2.6.4.8.18 */
OID_DEF(oid_ms_mr_orname_substring_elements_match, 0x56, 0x04, 0x08, 0x13) /* 2.6.4.8.19 */
OID_DEF(oid_ms_mr_redirection_or_dl_expansion_elements_match, 0x56, 0x04, 0x08, 0x14) /* 2.6.4.8.20 */
OID_DEF(oid_ms_mr_redirection_or_dl_expansion_match, 0x56, 0x04, 0x08, 0x15) /* 2.6.4.8.21 */
OID_DEF(oid_ms_mr_redirection_or_dl_expansion_substring_elements_match, 0x56, 0x04, 0x08, 0x16) /* 2.6.4.8.22 */
OID_DEF(oid_ms_mr_redirection_reason_match, 0x56, 0x04, 0x08, 0x17) /* 2.6.4.8.23 */
OID_DEF(oid_ms_mr_value_count_match, 0x56, 0x04, 0x08, 0x18) /* 2.6.4.8.24 */
OID_DEF(oid_ms_mr_redirection_or_dl_expansion_single_element_match, 0x56, 0x04, 0x08, 0x19) /* 2.6.4.8.25 */
OID_DEF(oid_ms_ext, 0x56, 0x04, 0x09) /* 2.6.4.9 */
OID_DEF(oid_ms_ext_modify_capability, 0x56, 0x04, 0x09, 0x00) /* 2.6.4.9.0 */
OID_DEF(oid_ms_ext_modify_retrieval_status_capability, 0x56, 0x04, 0x09, 0x01) /* 2.6.4.9.1 */
OID_DEF(oid_ms_ext_originator_certificate_selectors_override, 0x56, 0x04, 0x09, 0x02) /* 2.6.4.9.2 */
OID_DEF(oid_ms_ext_originator_token, 0x56, 0x04, 0x09, 0x03) /* 2.6.4.9.3 */
OID_DEF(oid_ms_ext_protected_change_credentials, 0x56, 0x04, 0x09, 0x04) /* 2.6.4.9.4 */
OID_DEF(oid_ms_ext_protected_change_credentials_capability, 0x56, 0x04, 0x09, 0x05) /* 2.6.4.9.5 */
OID_DEF(oid_ms_alg, 0x56, 0x04, 0x0a) /* 2.6.4.10 */
OID_DEF(oid_ms_alg_password_xor, 0x56, 0x04, 0x0a, 0x00) /* 2.6.4.10.0 */

const struct oid_entry oid_table[] = {
    { "oid_ber", "basic-encoding", "2.1.1", &oid_ber },
    { "oid_acse_as", "acse-as-id", "2.2.1.0.1", &oid_acse_as },
    { "oid_acse_ase", "acse-ase-id", "2.2.3.1.1", &oid_acse_ase },
    { "oid_ipm_cont_p2_84", "id-cont-p2", "2.6.1.10.0", &oid_ipm_cont_p2_84 },
    { "oid_ipm_cont_p22", "id-cont-p22", "2.6.1.10.1", &oid_ipm_cont_p22 },
    { "oid_ipm_hat_originator", "id-hat-originator", "2.6.1.7.2", &oid_ipm_hat_originator },
    { "oid_ipm_hat_subject", "id-hat-subject", "2.6.1.7.4", &oid_ipm_hat_subject },
    { "oid_ipm_hat_importance", "id-hat-importance", "2.6.1.7.7", &oid_ipm_hat_importance },
    { "oid_ipm_hat_precedence", "id-hat-precedence", "2.6.1.7.37", &oid_ipm_hat_precedence },
    { "oid_mhs_protocols", "id-mhs-protocols", "2.6.0", &oid_mhs_protocols },
    { "oid_mod", "id-mod", "2.6.0.0", &oid_mod },
    { "oid_mod_object_identifiers", "id-mod-object-identifiers", "2.6.0.0.0", &oid_mod_object_identifiers },
    { "oid_mod_mts_access_protocol", "id-mod-mts-access-protocol", "2.6.0.0.1", &oid_mod_mts_access_protocol },
    { "oid_mod_ms_access_protocol", "id-mod-ms-access-protocol", "2.6.0.0.2", &oid_mod_ms_access_protocol },
    { "oid_mod_mts_transfer_protocol", "id-mod-mts-transfer-protocol", "2.6.0.0.3", &oid_mod_mts_transfer_protocol },
    { "oid_ac", "id-ac", "2.6.0.1", &oid_ac },
    { "oid_ac_mts_access_88", "id-ac-mts-access-88", "2.6.0.1.0", &oid_ac_mts_access_88 },
    { "oid_ac_mts_forced_access_88", "id-ac-mts-forced-access-88", "2.6.0.1.1", &oid_ac_mts_forced_access_88 },
    { "oid_ac_mts_reliable_access_88", "id-ac-mts-reliable-access-88", "2.6.0.1.2", &oid_ac_mts_reliable_access_88 },
    { "oid_ac_mts_forced_reliable_access_88", "id-ac-mts-forced-reliable-access-88", "2.6.0.1.3", &oid_ac_mts_forced_reliable_access_88 },
    { "oid_ac_ms_access_88", "id-ac-ms-access-88", "2.6.0.1.4", &oid_ac_ms_access_88 },
    { "oid_ac_ms_reliable_access_88", "id-ac-ms-reliable-access-88", "2.6.0.1.5", &oid_ac_ms_reliable_access_88 },
    { "oid_ac_mts_transfer", "id-ac-mts-transfer", "2.6.0.1.6", &oid_ac_mts_transfer },
    { "oid_ac_mts_access_94", "id-ac-mts-access-94", "2.6.0.1.7", &oid_ac_mts_access_94 },
    { "oid_ac_mts_forced_access_94", "id-ac-mts-forced-access-94", "2.6.0.1.8", &oid_ac_mts_forced_access_94 },
    { "oid_ac_mts_reliable_access_94", "id-ac-mts-reliable-access-94", "2.6.0.1.9", &oid_ac_mts_reliable_access_94 },
    { "oid_ac_mts_forced_reliable_access_94", "id-ac-mts-forced-reliable-access-94", "2.6.0.1.10", &oid_ac_mts_forced_reliable_access_94 },
    { "oid_ac_ms_access_94", "id-ac-ms-access-94", "2.6.0.1.11", &oid_ac_ms_access_94 },
    { "oid_ac_ms_reliable_access_94", "id-ac-ms-reliable-access-94", "2.6.0.1.12", &oid_ac_ms_reliable_access_94 },
    { "oid_as", "id-as", "2.6.0.2", &oid_as },
    { "oid_as_msse", "id-as-msse", "2.6.0.2.1", &oid_as_msse },
    { "oid_as_mdse_88", "id-as-mdse-88", "2.6.0.2.2", &oid_as_mdse_88 },
    { "oid_as_mrse_88", "id-as-mrse-88", "2.6.0.2.5", &oid_as_mrse_88 },
    { "oid_as_mase_88", "id-as-mase-88", "2.6.0.2.6", &oid_as_mase_88 },
    { "oid_as_mtse", "id-as-mtse", "2.6.0.2.7", &oid_as_mtse },
    { "oid_as_mts_rtse", "id-as-mts-rtse", "2.6.0.2.8", &oid_as_mts_rtse },
    { "oid_as_ms_88", "id-as-ms-88", "2.6.0.2.9", &oid_as_ms_88 },
    { "oid_as_ms_rtse", "id-as-ms-rtse", "2.6.0.2.10", &oid_as_ms_rtse },
    { "oid_as_mts", "id-as-mts", "2.6.0.2.11", &oid_as_mts },
    { "oid_as_mta_rtse", "id-as-mta-rtse", "2.6.0.2.12", &oid_as_mta_rtse },
    { "oid_as_ms_msse", "id-as-ms-msse", "2.6.0.2.13", &oid_as_ms_msse },
    { "oid_as_mdse_94", "id-as-mdse-94", "2.6.0.2.14", &oid_as_mdse_94 },
    { "oid_as_mrse_94", "id-as-mrse-94", "2.6.0.2.15", &oid_as_mrse_94 },
    { "oid_as_mase_94", "id-as-mase-94", "2.6.0.2.16", &oid_as_mase_94 },
    { "oid_as_ms_94", "id-as-ms-94", "2.6.0.2.17", &oid_as_ms_94 },
    { "oid_ase", "id-ase", "2.6.0.3", &oid_ase },
    { "oid_ase_msse", "id-ase-msse", "2.6.0.3.0", &oid_ase_msse },
    { "oid_ase_mdse", "id-ase-mdse", "2.6.0.3.1", &oid_ase_mdse },
    { "oid_ase_mrse", "id-ase-mrse", "2.6.0.3.2", &oid_ase_mrse },
    { "oid_ase_mase", "id-ase-mase", "2.6.0.3.3", &oid_ase_mase },
    { "oid_ase_mtse", "id-ase-mtse", "2.6.0.3.4", &oid_ase_mtse },
    { "oid_mts_mts", "id-mts", "2.6.3", &oid_mts_mts },
    { "oid_mts_mod", "id-mod", "2.6.3.0", &oid_mts_mod },
    { "oid_mts_mod_object_identifiers", "id-mod-object-identifiers", "2.6.3.0.0", &oid_mts_mod_object_identifiers },
    { "oid_mts_mod_mts_abstract_service", "id-mod-mts-abstract-service", "2.6.3.0.1", &oid_mts_mod_mts_abstract_service },
    { "oid_mts_mod_mta_abstract_service", "id-mod-mta-abstract-service", "2.6.3.0.2", &oid_mts_mod_mta_abstract_service },
    { "oid_mts_mod_upper_bounds", "id-mod-upper-bounds", "2.6.3.0.3", &oid_mts_mod_upper_bounds },
    { "oid_mts_ot", "id-ot", "2.6.3.1", &oid_mts_ot },
    { "oid_mts_ot_mts", "id-ot-mts", "2.6.3.1.0", &oid_mts_ot_mts },
    { "oid_mts_ot_mts_user", "id-ot-mts-user", "2.6.3.1.1", &oid_mts_ot_mts_user },
    { "oid_mts_ot_mta", "id-ot-mta", "2.6.3.1.2", &oid_mts_ot_mta },
    { "oid_mts_pt", "id-pt", "2.6.3.2", &oid_mts_pt },
    { "oid_mts_pt_submission", "id-pt-submission", "2.6.3.2.0", &oid_mts_pt_submission },
    { "oid_mts_pt_delivery", "id-pt-delivery", "2.6.3.2.1", &oid_mts_pt_delivery },
    { "oid_mts_pt_administration", "id-pt-administration", "2.6.3.2.2", &oid_mts_pt_administration },
    { "oid_mts_pt_transfer", "id-pt-transfer", "2.6.3.2.3", &oid_mts_pt_transfer },
    { "oid_mts_cont", "id-cont", "2.6.3.3", &oid_mts_cont },
    { "oid_mts_cont_unidentified", "id-cont-unidentified", "2.6.3.3.0", &oid_mts_cont_unidentified },
    { "oid_mts_cont_inner_envelope", "id-cont-inner-envelope", "2.6.3.3.1", &oid_mts_cont_inner_envelope },
    { "oid_mts_eit", "id-eit", "2.6.3.4", &oid_mts_eit },
    { "oid_mts_eit_unknown", "id-eit-unknown", "2.6.3.4.0", &oid_mts_eit_unknown },
    { "oid_mts_eit_ia5_text", "id-eit-ia5-text", "2.6.3.4.2", &oid_mts_eit_ia5_text },
    { "oid_mts_eit_g3_facsimile", "id-eit-g3-facsimile", "2.6.3.4.3", &oid_mts_eit_g3_facsimile },
    { "oid_mts_eit_g4_class_1", "id-eit-g4-class-1", "2.6.3.4.4", &oid_mts_eit_g4_class_1 },
    { "oid_mts_eit_teletex", "id-eit-teletex", "2.6.3.4.5", &oid_mts_eit_teletex },
    { "oid_mts_eit_videotex", "id-eit-videotex", "2.6.3.4.6", &oid_mts_eit_videotex },
    { "oid_mts_eit_voice", "id-eit-voice", "2.6.3.4.7", &oid_mts_eit_voice },
    { "oid_mts_eit_sfd", "id-eit-sfd", "2.6.3.4.8", &oid_mts_eit_sfd },
    { "oid_mts_eit_mixed_mode", "id-eit-mixed-mode", "2.6.3.4.9", &oid_mts_eit_mixed_mode },
    { "oid_mts_att", "id-att", "2.6.3.5", &oid_mts_att },
    { "oid_mts_att_physicalrendition_basic", "id-att-physicalRendition-basic", "2.6.3.5.0", &oid_mts_att_physicalrendition_basic },
    { "oid_mts_att_physicalrendition_no_cover_page", "id-att-physicalRendition-no-cover-page", "2.6.3.5.1", &oid_mts_att_physicalrendition_no_cover_page },
    { "oid_mts_tok", "id-tok", "2.6.3.6", &oid_mts_tok },
    { "oid_mts_tok_asymmetrictoken", "id-tok-asymmetricToken", "2.6.3.6.0", &oid_mts_tok_asymmetrictoken },
    { "oid_mts_sa", "id-sa", "2.6.3.7", &oid_mts_sa },
    { "oid_mts_sa_ua", "id-sa-ua", "2.6.3.7.0", &oid_mts_sa_ua },
    { "oid_mts_sa_ms", "id-sa-ms", "2.6.3.7.1", &oid_mts_sa_ms },
    { "oid_mts_ct", "id-ct", "2.6.3.8", &oid_mts_ct },
    { "oid_mts_ct_mts_access", "id-ct-mts-access", "2.6.3.8.0", &oid_mts_ct_mts_access },
    { "oid_mts_ct_mts_forced_access", "id-ct-mts-forced-access", "2.6.3.8.1", &oid_mts_ct_mts_forced_access },
    { "oid_mts_ct_mta_transfer", "id-ct-mta-transfer", "2.6.3.8.2", &oid_mts_ct_mta_transfer },
    { "oid_mts_cp", "id-cp", "2.6.3.9", &oid_mts_cp },
    { "oid_mts_cp_mts_connect", "id-cp-mts-connect", "2.6.3.9.0", &oid_mts_cp_mts_connect },
    { "oid_mts_cp_mta_connect", "id-cp-mta-connect", "2.6.3.9.1", &oid_mts_cp_mta_connect },
    { "oid_ms_mod", "id-mod", "2.6.4.0", &oid_ms_mod },
    { "oid_ms_mod_object_identifiers", "id-mod-object-identifiers", "2.6.4.0.0", &oid_ms_mod_object_identifiers },
    { "oid_ms_mod_abstract_service", "id-mod-abstract-service", "2.6.4.0.1", &oid_ms_mod_abstract_service },
    { "oid_ms_mod_attribute_types", "id-mod-attribute-types", "2.6.4.0.2", &oid_ms_mod_attribute_types },
    { "oid_ms_mod_action_types", "id-mod-action-types", "2.6.4.0.3", &oid_ms_mod_action_types },
    { "oid_ms_mod_upper_bounds", "id-mod-upper-bounds", "2.6.4.0.4", &oid_ms_mod_upper_bounds },
    { "oid_ms_mod_matching_rules", "id-mod-matching-rules", "2.6.4.0.5", &oid_ms_mod_matching_rules },
    { "oid_ms_ot", "id-ot", "2.6.4.1", &oid_ms_ot },
    { "oid_ms_ot_ms", "id-ot-ms", "2.6.4.1.0", &oid_ms_ot_ms },
    { "oid_ms_ot_ms_user", "id-ot-ms-user", "2.6.4.1.1", &oid_ms_ot_ms_user },
    { "oid_ms_pt", "id-pt", "2.6.4.2", &oid_ms_pt },
    { "oid_ms_pt_retrieval_88", "id-pt-retrieval-88", "2.6.4.2.0", &oid_ms_pt_retrieval_88 },
    { "oid_ms_pt_retrieval_94", "id-pt-retrieval-94", "2.6.4.2.1", &oid_ms_pt_retrieval_94 },
    { "oid_ms_pt_ms_submission", "id-pt-ms-submission", "2.6.4.2.2", &oid_ms_pt_ms_submission },
    { "oid_ms_att", "id-att", "2.6.4.3", &oid_ms_att },
    { "oid_ms_att_child_sequence_numbers", "id-att-child-sequence-numbers", "2.6.4.3.0", &oid_ms_att_child_sequence_numbers },
    { "oid_ms_att_content", "id-att-content", "2.6.4.3.1", &oid_ms_att_content },
    { "oid_ms_att_content_confidentiality_algorithm_identifier", "id-att-content-confidentiality-algorithm-identifier", "2.6.4.3.2", &oid_ms_att_content_confidentiality_algorithm_identifier },
    { "oid_ms_att_content_correlator", "id-att-content-correlator", "2.6.4.3.3", &oid_ms_att_content_correlator },
    { "oid_ms_att_content_identifier", "id-att-content-identifier", "2.6.4.3.4", &oid_ms_att_content_identifier },
    { "oid_ms_att_content_integrity_check", "id-att-content-integrity-check", "2.6.4.3.5", &oid_ms_att_content_integrity_check },
    { "oid_ms_att_content_length", "id-att-content-length", "2.6.4.3.6", &oid_ms_att_content_length },
    { "oid_ms_att_content_returned", "id-att-content-returned", "2.6.4.3.7", &oid_ms_att_content_returned },
    { "oid_ms_att_content_type", "id-att-content-type", "2.6.4.3.8", &oid_ms_att_content_type },
    { "oid_ms_att_conversion_with_loss_prohibited", "id-att-conversion-with-loss-prohibited", "2.6.4.3.9", &oid_ms_att_conversion_with_loss_prohibited },
    { "oid_ms_att_converted_eits", "id-att-converted-EITs", "2.6.4.3.10", &oid_ms_att_converted_eits },
    { "oid_ms_att_creation_time", "id-att-creation-time", "2.6.4.3.11", &oid_ms_att_creation_time },
    { "oid_ms_att_delivered_eits", "id-att-delivered-EITs", "2.6.4.3.12", &oid_ms_att_delivered_eits },
    { "oid_ms_att_delivery_flags", "id-att-delivery-flags", "2.6.4.3.13", &oid_ms_att_delivery_flags },
    { "oid_ms_att_dl_expansion_history", "id-att-dl-expansion-history", "2.6.4.3.14", &oid_ms_att_dl_expansion_history },
    { "oid_ms_att_retrieval_status", "id-att-retrieval-status", "2.6.4.3.15", &oid_ms_att_retrieval_status },
    { "oid_ms_att_entry_type", "id-att-entry-type", "2.6.4.3.16", &oid_ms_att_entry_type },
    { "oid_ms_att_originally_intended_recipient_name", "id-att-originally-intended-recipient-name", "2.6.4.3.17", &oid_ms_att_originally_intended_recipient_name },
    { "oid_ms_att_message_delivery_envelope", "id-att-message-delivery-envelope", "2.6.4.3.18", &oid_ms_att_message_delivery_envelope },
    { "oid_ms_att_message_identifier", "id-att-message-identifier", "2.6.4.3.19", &oid_ms_att_message_identifier },
    { "oid_ms_att_message_delivery_time", "id-att-message-delivery-time", "2.6.4.3.20", &oid_ms_att_message_delivery_time },
    { "oid_ms_att_message_origin_authentication_check", "id-att-message-origin-authentication-check", "2.6.4.3.21", &oid_ms_att_message_origin_authentication_check },
    { "oid_ms_att_message_security_label", "id-att-message-security-label", "2.6.4.3.22", &oid_ms_att_message_security_label },
    { "oid_ms_att_message_submission_time", "id-att-message-submission-time", "2.6.4.3.23", &oid_ms_att_message_submission_time },
    { "oid_ms_att_message_token", "id-att-message-token", "2.6.4.3.24", &oid_ms_att_message_token },
    { "oid_ms_att_original_eits", "id-att-original-EITs", "2.6.4.3.25", &oid_ms_att_original_eits },
    { "oid_ms_att_originator_certificate", "id-att-originator-certificate", "2.6.4.3.26", &oid_ms_att_originator_certificate },
    { "oid_ms_att_originator_name", "id-att-originator-name", "2.6.4.3.27", &oid_ms_att_originator_name },
    { "oid_ms_att_other_recipient_names", "id-att-other-recipient-names", "2.6.4.3.28", &oid_ms_att_other_recipient_names },
    { "oid_ms_att_parent_sequence_number", "id-att-parent-sequence-number", "2.6.4.3.29", &oid_ms_att_parent_sequence_number },
    { "oid_ms_att_per_recipient_report_delivery_fields", "id-att-per-recipient-report-delivery-fields", "2.6.4.3.30", &oid_ms_att_per_recipient_report_delivery_fields },
    { "oid_ms_att_priority", "id-att-priority", "2.6.4.3.31", &oid_ms_att_priority },
    { "oid_ms_att_proof_of_delivery_request", "id-att-proof-of-delivery-request", "2.6.4.3.32", &oid_ms_att_proof_of_delivery_request },
    { "oid_ms_att_redirection_history", "id-att-redirection-history", "2.6.4.3.33", &oid_ms_att_redirection_history },
    { "oid_ms_att_report_delivery_envelope", "id-att-report-delivery-envelope", "2.6.4.3.34", &oid_ms_att_report_delivery_envelope },
    { "oid_ms_att_reporting_dl_name", "id-att-reporting-DL-name", "2.6.4.3.35", &oid_ms_att_reporting_dl_name },
    { "oid_ms_att_reporting_mta_certificate", "id-att-reporting-MTA-certificate", "2.6.4.3.36", &oid_ms_att_reporting_mta_certificate },
    { "oid_ms_att_report_origin_authentication_check", "id-att-report-origin-authentication-check", "2.6.4.3.37", &oid_ms_att_report_origin_authentication_check },
    { "oid_ms_att_security_classification", "id-att-security-classification", "2.6.4.3.38", &oid_ms_att_security_classification },
    { "oid_ms_att_sequence_number", "id-att-sequence-number", "2.6.4.3.39", &oid_ms_att_sequence_number },
    { "oid_ms_att_subject_submission_identifier", "id-att-subject-submission-identifier", "2.6.4.3.40", &oid_ms_att_subject_submission_identifier },
    { "oid_ms_att_this_recipient_name", "id-att-this-recipient-name", "2.6.4.3.41", &oid_ms_att_this_recipient_name },
    { "oid_ms_att_ac_correlated_report_list", "id-att-ac-correlated-report-list", "2.6.4.3.42", &oid_ms_att_ac_correlated_report_list },
    { "oid_ms_att_ac_report_summary", "id-att-ac-report-summary", "2.6.4.3.43", &oid_ms_att_ac_report_summary },
    { "oid_ms_att_ac_uncorrelated_report_list", "id-att-ac-uncorrelated-report-list", "2.6.4.3.44", &oid_ms_att_ac_uncorrelated_report_list },
    { "oid_ms_att_auto_action_error", "id-att-auto-action-error", "2.6.4.3.46", &oid_ms_att_auto_action_error },
    { "oid_ms_att_auto_action_registration_identifier", "id-att-auto-action-registration-identifier", "2.6.4.3.47", &oid_ms_att_auto_action_registration_identifier },
    { "oid_ms_att_auto_action_subject_entry", "id-att-auto-action-subject-entry", "2.6.4.3.48", &oid_ms_att_auto_action_subject_entry },
    { "oid_ms_att_auto_action_type", "id-att-auto-action-type", "2.6.4.3.49", &oid_ms_att_auto_action_type },
    { "oid_ms_att_deferred_delivery_cancellation_time", "id-att-deferred-delivery-cancellation-time", "2.6.4.3.50", &oid_ms_att_deferred_delivery_cancellation_time },
    { "oid_ms_att_deferred_delivery_time", "id-att-deferred-delivery-time", "2.6.4.3.51", &oid_ms_att_deferred_delivery_time },
    { "oid_ms_att_deletion_time", "id-att-deletion-time", "2.6.4.3.52", &oid_ms_att_deletion_time },
    { "oid_ms_att_dl_expansion_prohibited", "id-att-dl-expansion-prohibited", "2.6.4.3.53", &oid_ms_att_dl_expansion_prohibited },
    { "oid_ms_att_internal_trace_information", "id-att-internal-trace-information", "2.6.4.3.54", &oid_ms_att_internal_trace_information },
    { "oid_ms_att_latest_delivery_time", "id-att-latest-delivery-time", "2.6.4.3.55", &oid_ms_att_latest_delivery_time },
    { "oid_ms_att_marked_for_deletion", "id-att-marked-for-deletion", "2.6.4.3.56", &oid_ms_att_marked_for_deletion },
    { "oid_ms_att_message_group_name", "id-att-message-group-name", "2.6.4.3.57", &oid_ms_att_message_group_name },
    { "oid_ms_att_message_notes", "id-att-message-notes", "2.6.4.3.58", &oid_ms_att_message_notes },
    { "oid_ms_att_message_submission_envelope", "id-att-message-submission-envelope", "2.6.4.3.59", &oid_ms_att_message_submission_envelope },
    { "oid_ms_att_ms_originated", "id-att-ms-originated", "2.6.4.3.60", &oid_ms_att_ms_originated },
    { "oid_ms_att_ms_submission_error", "id-att-ms-submission-error", "2.6.4.3.61", &oid_ms_att_ms_submission_error },
    { "oid_ms_att_originating_mta_certificate", "id-att-originating-MTA-certificate", "2.6.4.3.62", &oid_ms_att_originating_mta_certificate },
    { "oid_ms_att_originator_report_request", "id-att-originator-report-request", "2.6.4.3.63", &oid_ms_att_originator_report_request },
    { "oid_ms_att_originator_return_address", "id-att-originator-return-address", "2.6.4.3.64", &oid_ms_att_originator_return_address },
    { "oid_ms_att_per_message_indicators", "id-att-per-message-indicators", "2.6.4.3.65", &oid_ms_att_per_message_indicators },
    { "oid_ms_att_per_recipient_message_submission_fields", "id-att-per-recipient-message-submission-fields", "2.6.4.3.66", &oid_ms_att_per_recipient_message_submission_fields },
    { "oid_ms_att_per_recipient_probe_submission_fields", "id-att-per-recipient-probe-submission-fields", "2.6.4.3.67", &oid_ms_att_per_recipient_probe_submission_fields },
    { "oid_ms_att_probe_origin_authentication_check", "id-att-probe-origin-authentication-check", "2.6.4.3.68", &oid_ms_att_probe_origin_authentication_check },
    { "oid_ms_att_probe_submission_envelope", "id-att-probe-submission-envelope", "2.6.4.3.69", &oid_ms_att_probe_submission_envelope },
    { "oid_ms_att_proof_of_submission", "id-att-proof-of-submission", "2.6.4.3.70", &oid_ms_att_proof_of_submission },
    { "oid_ms_att_recipient_names", "id-att-recipient-names", "2.6.4.3.71", &oid_ms_att_recipient_names },
    { "oid_ms_att_recipient_reassignment_prohibited", "id-att-recipient-reassignment-prohibited", "2.6.4.3.72", &oid_ms_att_recipient_reassignment_prohibited },
    { "oid_ms_att_storage_period", "id-att-storage-period", "2.6.4.3.73", &oid_ms_att_storage_period },
    { "oid_ms_att_storage_time", "id-att-storage-time", "2.6.4.3.74", &oid_ms_att_storage_time },
    { "oid_ms_att_trace_information", "id-att-trace-information", "2.6.4.3.75", &oid_ms_att_trace_information },
    { "oid_ms_att_ac_report_subject_entry", "id-att-ac-report-subject-entry", "2.6.4.3.76", &oid_ms_att_ac_report_subject_entry },
    { "oid_ms_att_locally_originated", "id-att-locally-originated", "2.6.4.3.77", &oid_ms_att_locally_originated },
    { "oid_ms_att_dl_exempted_recipients", "id-att-dl-exempted-recipients", "2.6.4.3.78", &oid_ms_att_dl_exempted_recipients },
    { "oid_ms_att_signature_verification_status", "id-att-signature-verification-status", "2.6.4.3.79", &oid_ms_att_signature_verification_status },
    { "oid_ms_att_certificate_selectors", "id-att-certificate-selectors", "2.6.4.3.80", &oid_ms_att_certificate_selectors },
    { "oid_ms_att_multiple_originator_certificates", "id-att-multiple-originator-certificates", "2.6.4.3.81", &oid_ms_att_multiple_originator_certificates },
    { "oid_ms_att_recipient_certificate", "id-att-recipient-certificate", "2.6.4.3.82", &oid_ms_att_recipient_certificate },
    { "oid_ms_act", "id-act", "2.6.4.4", &oid_ms_act },
    { "oid_ms_act_ipm_auto_forward", "id-act-ipm-auto-forward", "2.6.4.4.0", &oid_ms_act_ipm_auto_forward },
    { "oid_ms_act_auto_alert", "id-act-auto-alert", "2.6.4.4.1", &oid_ms_act_auto_alert },
    { "oid_ms_act_auto_correlate_reports", "id-act-auto-correlate-reports", "2.6.4.4.2", &oid_ms_act_auto_correlate_reports },
    { "oid_ms_act_auto_delete", "id-act-auto-delete", "2.6.4.4.3", &oid_ms_act_auto_delete },
    { "oid_ms_act_auto_modify", "id-act-auto-modify", "2.6.4.4.4", &oid_ms_act_auto_modify },
    { "oid_ms_crt", "id-crt", "2.6.4.5", &oid_ms_crt },
    { "oid_ms_crt_ms_access_88", "id-crt-ms-access-88", "2.6.4.5.0", &oid_ms_crt_ms_access_88 },
    { "oid_ms_crt_ms_access_94", "id-crt-ms-access-94", "2.6.4.5.1", &oid_ms_crt_ms_access_94 },
    { "oid_ms_cp", "id-cp", "2.6.4.6", &oid_ms_cp },
    { "oid_ms_cp_ms_connection", "id-cp-ms-connection", "2.6.4.6.0", &oid_ms_cp_ms_connection },
    { "oid_ms_aae", "id-aae", "2.6.4.7", &oid_ms_aae },
    { "oid_ms_aae_auto_alert_error", "id-aae-auto-alert-error", "2.6.4.7.0", &oid_ms_aae_auto_alert_error },
    { "oid_ms_mr", "id-mr", "2.6.4.8", &oid_ms_mr },
    { "oid_ms_mr_content_correlator_match", "id-mr-content-correlator-match", "2.6.4.8.1", &oid_ms_mr_content_correlator_match },
    { "oid_ms_mr_content_identifier_match", "id-mr-content-identifier-match", "2.6.4.8.2", &oid_ms_mr_content_identifier_match },
    { "oid_ms_mr_ms_single_substring_list_elements_match", "id-mr-ms-single-substring-list-elements-match", "2.6.4.8.3", &oid_ms_mr_ms_single_substring_list_elements_match },
    { "oid_ms_mr_ms_single_substring_list_match", "id-mr-ms-single-substring-list-match", "2.6.4.8.4", &oid_ms_mr_ms_single_substring_list_match },
    { "oid_ms_mr_ms_single_substring_match", "id-mr-ms-single-substring-match", "2.6.4.8.5", &oid_ms_mr_ms_single_substring_match },
    { "oid_ms_mr_ms_substrings_match", "id-mr-ms-substrings-match", "2.6.4.8.6", &oid_ms_mr_ms_substrings_match },
    { "oid_ms_mr_msstring_case_sensitive_match", "id-mr-msstring-case-sensitive-match", "2.6.4.8.7", &oid_ms_mr_msstring_case_sensitive_match },
    { "oid_ms_mr_msstring_list_elements_match", "id-mr-msstring-list-elements-match", "2.6.4.8.8", &oid_ms_mr_msstring_list_elements_match },
    { "oid_ms_mr_msstring_list_match", "id-mr-msstring-list-match", "2.6.4.8.9", &oid_ms_mr_msstring_list_match },
    { "oid_ms_mr_msstring_match", "id-mr-msstring-match", "2.6.4.8.10", &oid_ms_mr_msstring_match },
    { "oid_ms_mr_msstring_ordering_match", "id-mr-msstring-ordering-match", "2.6.4.8.11", &oid_ms_mr_msstring_ordering_match },
    { "oid_ms_mr_mts_identifier_match", "id-mr-mts-identifier-match", "2.6.4.8.12", &oid_ms_mr_mts_identifier_match },
    { "oid_ms_mr_oraddress_elements_match", "id-mr-oraddress-elements-match", "2.6.4.8.13", &oid_ms_mr_oraddress_elements_match },
    { "oid_ms_mr_oraddress_match", "id-mr-oraddress-match", "2.6.4.8.14", &oid_ms_mr_oraddress_match },
    { "oid_ms_mr_oraddress_substring_elements_match", "id-mr-oraddress-substring-elements-match", "2.6.4.8.15", &oid_ms_mr_oraddress_substring_elements_match },
    { "oid_ms_mr_orname_elements_match", "id-mr-orname-elements-match", "2.6.4.8.16", &oid_ms_mr_orname_elements_match },
    { "oid_ms_mr_orname_match", "id-mr-orname-match", "2.6.4.8.17", &oid_ms_mr_orname_match },
    { "oid_ms_mr_orname_single_element_match", "id-mr-orname-single-element-match", "2.6.4.8.18", &oid_ms_mr_orname_single_element_match },
    { "oid_ms_mr_orname_substring_elements_match", "id-mr-orname-substring-elements-match", "2.6.4.8.19", &oid_ms_mr_orname_substring_elements_match },
    { "oid_ms_mr_redirection_or_dl_expansion_elements_match", "id-mr-redirection-or-dl-expansion-elements-match", "2.6.4.8.20", &oid_ms_mr_redirection_or_dl_expansion_elements_match },
    { "oid_ms_mr_redirection_or_dl_expansion_match", "id-mr-redirection-or-dl-expansion-match", "2.6.4.8.21", &oid_ms_mr_redirection_or_dl_expansion_match },
    { "oid_ms_mr_redirection_or_dl_expansion_substring_elements_match", "id-mr-redirection-or-dl-expansion-substring-elements-match", "2.6.4.8.22", &oid_ms_mr_redirection_or_dl_expansion_substring_elements_match },
    { "oid_ms_mr_redirection_reason_match", "id-mr-redirection-reason-match", "2.6.4.8.23", &oid_ms_mr_redirection_reason_match },
    { "oid_ms_mr_value_count_match", "id-mr-value-count-match", "2.6.4.8.24", &oid_ms_mr_value_count_match },
    { "oid_ms_mr_redirection_or_dl_expansion_single_element_match", "id-mr-redirection-or-dl-expansion-single-element-match", "2.6.4.8.25", &oid_ms_mr_redirection_or_dl_expansion_single_element_match },
    { "oid_ms_ext", "id-ext", "2.6.4.9", &oid_ms_ext },
    { "oid_ms_ext_modify_capability", "id-ext-modify-capability", "2.6.4.9.0", &oid_ms_ext_modify_capability },
    { "oid_ms_ext_modify_retrieval_status_capability", "id-ext-modify-retrieval-status-capability", "2.6.4.9.1", &oid_ms_ext_modify_retrieval_status_capability },
    { "oid_ms_ext_originator_certificate_selectors_override", "id-ext-originator-certificate-selectors-override", "2.6.4.9.2", &oid_ms_ext_originator_certificate_selectors_override },
    { "oid_ms_ext_originator_token", "id-ext-originator-token", "2.6.4.9.3", &oid_ms_ext_originator_token },
    { "oid_ms_ext_protected_change_credentials", "id-ext-protected-change-credentials", "2.6.4.9.4", &oid_ms_ext_protected_change_credentials },
    { "oid_ms_ext_protected_change_credentials_capability", "id-ext-protected-change-credentials-capability", "2.6.4.9.5", &oid_ms_ext_protected_change_credentials_capability },
    { "oid_ms_alg", "id-alg", "2.6.4.10", &oid_ms_alg },
    { "oid_ms_alg_password_xor", "id-alg-password-xor", "2.6.4.10.0", &oid_ms_alg_password_xor },
};
const size_t oid_table_len = sizeof(oid_table) / sizeof(oid_table[0]);

const char *oid_name(struct ber_slice oid)
{
    for (size_t i = 0; i < oid_table_len; i++)
        if (ber_oid_eq(oid, *oid_table[i].oid))
            return oid_table[i].asn1_name;
    return NULL;
}

const struct oid_entry *oid_lookup(const char *name_or_text)
{
    for (size_t i = 0; i < oid_table_len; i++) {
        const struct oid_entry *e = &oid_table[i];
        if (!strcmp(e->c_name, name_or_text) || !strcmp(e->asn1_name, name_or_text) ||
            !strcmp(e->text, name_or_text))
            return e;
    }
    return NULL;
}
