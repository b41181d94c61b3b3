/* OBJECT IDENTIFIER constants of the OSI and MHS world, as BER contents
 * octets (what ber_get_oid() yields and ber_put_oid() takes), so that a
 * comparison is ber_oid_eq(decoded, oid_ac_ms_access_88).
 *
 * Generated once from the MHS object identifier list (X.419
 * MHSProtocolObjectIdentifiers: oid_<name>, X.411 MTSObjectIdentifiers:
 * oid_mts_<name>, X.413 MSObjectIdentifiers: oid_ms_<name>; the "id-" prefix
 * dropped, '-' as '_') plus ACSE, BER and a few X.420 ones (DESIGN.md 7).
 * Add new constants by hand in both oid.h and oid.c, keeping the order. */
#ifndef X400MS_ASN1_OID_H
#define X400MS_ASN1_OID_H

#include "asn1/ber.h"

/* One entry of the table of known OIDs. */
struct oid_entry {
    const char *c_name;    /* "oid_ac_ms_access_88" */
    const char *asn1_name; /* "id-ac-ms-access-88" */
    const char *text;      /* "2.6.0.1.4" */
    const struct ber_slice *oid;
};

/* All constants below, in this header's order. */
extern const struct oid_entry oid_table[];
extern const size_t oid_table_len;

/* The ASN.1 name of a known OID ("id-ac-ms-access-88"), NULL if unknown. */
const char *oid_name(struct ber_slice oid);
/* The entry with that ASN.1 or C name, or that dotted text; NULL if none. */
const struct oid_entry *oid_lookup(const char *name_or_text);


/* ASN.1 */
extern const struct ber_slice oid_ber; /* basic-encoding (X.690) 2.1.1 */

/* ACSE */
extern const struct ber_slice oid_acse_as; /* acse-as-id (X.227) 2.2.1.0.1 */
extern const struct ber_slice oid_acse_ase; /* acse-ase-id (X.227) 2.2.3.1.1 */

/* IPMSObjectIdentifiers */
extern const struct ber_slice oid_ipm_cont_p2_84; /* id-cont-p2 / ipm-84 content type 2.6.1.10.0 */
extern const struct ber_slice oid_ipm_cont_p22; /* id-cont-p22 / interpersonal-messaging-1988 2.6.1.10.1 */
extern const struct ber_slice oid_ipm_hat_originator; /* id-hat-originator 2.6.1.7.2 */
extern const struct ber_slice oid_ipm_hat_subject; /* id-hat-subject 2.6.1.7.4 */
extern const struct ber_slice oid_ipm_hat_importance; /* id-hat-importance 2.6.1.7.7 */
extern const struct ber_slice oid_ipm_hat_precedence; /* id-hat-precedence (STANAG 4406) 2.6.1.7.37 */

/* MHSProtocolObjectIdentifiers */
extern const struct ber_slice oid_mhs_protocols; /* id-mhs-protocols 2.6.0 */
extern const struct ber_slice oid_mod; /* id-mod 2.6.0.0 */
extern const struct ber_slice oid_mod_object_identifiers; /* id-mod-object-identifiers 2.6.0.0.0 */
extern const struct ber_slice oid_mod_mts_access_protocol; /* id-mod-mts-access-protocol 2.6.0.0.1 */
extern const struct ber_slice oid_mod_ms_access_protocol; /* id-mod-ms-access-protocol 2.6.0.0.2 */
extern const struct ber_slice oid_mod_mts_transfer_protocol; /* id-mod-mts-transfer-protocol 2.6.0.0.3 */
extern const struct ber_slice oid_ac; /* id-ac 2.6.0.1 */
extern const struct ber_slice oid_ac_mts_access_88; /* id-ac-mts-access-88 2.6.0.1.0 */
extern const struct ber_slice oid_ac_mts_forced_access_88; /* id-ac-mts-forced-access-88 2.6.0.1.1 */
extern const struct ber_slice oid_ac_mts_reliable_access_88; /* id-ac-mts-reliable-access-88 2.6.0.1.2 */
extern const struct ber_slice oid_ac_mts_forced_reliable_access_88; /* id-ac-mts-forced-reliable-access-88 2.6.0.1.3 */
extern const struct ber_slice oid_ac_ms_access_88; /* id-ac-ms-access-88 2.6.0.1.4 */
extern const struct ber_slice oid_ac_ms_reliable_access_88; /* id-ac-ms-reliable-access-88 2.6.0.1.5 */
extern const struct ber_slice oid_ac_mts_transfer; /* id-ac-mts-transfer 2.6.0.1.6 */
extern const struct ber_slice oid_ac_mts_access_94; /* id-ac-mts-access-94 2.6.0.1.7 */
extern const struct ber_slice oid_ac_mts_forced_access_94; /* id-ac-mts-forced-access-94 2.6.0.1.8 */
extern const struct ber_slice oid_ac_mts_reliable_access_94; /* id-ac-mts-reliable-access-94 2.6.0.1.9 */
extern const struct ber_slice oid_ac_mts_forced_reliable_access_94; /* id-ac-mts-forced-reliable-access-94 2.6.0.1.10 */
extern const struct ber_slice oid_ac_ms_access_94; /* id-ac-ms-access-94 2.6.0.1.11 */
extern const struct ber_slice oid_ac_ms_reliable_access_94; /* id-ac-ms-reliable-access-94 2.6.0.1.12 */
extern const struct ber_slice oid_as; /* id-as 2.6.0.2 */
extern const struct ber_slice oid_as_msse; /* id-as-msse 2.6.0.2.1 */
extern const struct ber_slice oid_as_mdse_88; /* id-as-mdse-88 2.6.0.2.2 */
extern const struct ber_slice oid_as_mrse_88; /* id-as-mrse-88 2.6.0.2.5 */
extern const struct ber_slice oid_as_mase_88; /* id-as-mase-88 2.6.0.2.6 */
extern const struct ber_slice oid_as_mtse; /* id-as-mtse 2.6.0.2.7 */
extern const struct ber_slice oid_as_mts_rtse; /* id-as-mts-rtse 2.6.0.2.8 */
extern const struct ber_slice oid_as_ms_88; /* id-as-ms-88 2.6.0.2.9 */
extern const struct ber_slice oid_as_ms_rtse; /* id-as-ms-rtse 2.6.0.2.10 */
extern const struct ber_slice oid_as_mts; /* id-as-mts 2.6.0.2.11 */
extern const struct ber_slice oid_as_mta_rtse; /* id-as-mta-rtse 2.6.0.2.12 */
extern const struct ber_slice oid_as_ms_msse; /* id-as-ms-msse 2.6.0.2.13 */
extern const struct ber_slice oid_as_mdse_94; /* id-as-mdse-94 2.6.0.2.14 */
extern const struct ber_slice oid_as_mrse_94; /* id-as-mrse-94 2.6.0.2.15 */
extern const struct ber_slice oid_as_mase_94; /* id-as-mase-94 2.6.0.2.16 */
extern const struct ber_slice oid_as_ms_94; /* id-as-ms-94 2.6.0.2.17 */
extern const struct ber_slice oid_ase; /* id-ase 2.6.0.3 */
extern const struct ber_slice oid_ase_msse; /* id-ase-msse 2.6.0.3.0 */
extern const struct ber_slice oid_ase_mdse; /* id-ase-mdse 2.6.0.3.1 */
extern const struct ber_slice oid_ase_mrse; /* id-ase-mrse 2.6.0.3.2 */
extern const struct ber_slice oid_ase_mase; /* id-ase-mase 2.6.0.3.3 */
extern const struct ber_slice oid_ase_mtse; /* id-ase-mtse 2.6.0.3.4 */

/* MTSObjectIdentifiers */
extern const struct ber_slice oid_mts_mts; /* id-mts 2.6.3 */
extern const struct ber_slice oid_mts_mod; /* id-mod 2.6.3.0 */
extern const struct ber_slice oid_mts_mod_object_identifiers; /* id-mod-object-identifiers 2.6.3.0.0 */
extern const struct ber_slice oid_mts_mod_mts_abstract_service; /* id-mod-mts-abstract-service 2.6.3.0.1 */
extern const struct ber_slice oid_mts_mod_mta_abstract_service; /* id-mod-mta-abstract-service 2.6.3.0.2 */
extern const struct ber_slice oid_mts_mod_upper_bounds; /* id-mod-upper-bounds 2.6.3.0.3 */
extern const struct ber_slice oid_mts_ot; /* id-ot 2.6.3.1 */
extern const struct ber_slice oid_mts_ot_mts; /* id-ot-mts 2.6.3.1.0 */
extern const struct ber_slice oid_mts_ot_mts_user; /* id-ot-mts-user 2.6.3.1.1 */
extern const struct ber_slice oid_mts_ot_mta; /* id-ot-mta 2.6.3.1.2 */
extern const struct ber_slice oid_mts_pt; /* id-pt 2.6.3.2 */
extern const struct ber_slice oid_mts_pt_submission; /* id-pt-submission 2.6.3.2.0 */
extern const struct ber_slice oid_mts_pt_delivery; /* id-pt-delivery 2.6.3.2.1 */
extern const struct ber_slice oid_mts_pt_administration; /* id-pt-administration 2.6.3.2.2 */
extern const struct ber_slice oid_mts_pt_transfer; /* id-pt-transfer 2.6.3.2.3 */
extern const struct ber_slice oid_mts_cont; /* id-cont 2.6.3.3 */
extern const struct ber_slice oid_mts_cont_unidentified; /* id-cont-unidentified 2.6.3.3.0 */
extern const struct ber_slice oid_mts_cont_inner_envelope; /* id-cont-inner-envelope 2.6.3.3.1 */
extern const struct ber_slice oid_mts_eit; /* id-eit 2.6.3.4 */
extern const struct ber_slice oid_mts_eit_unknown; /* id-eit-unknown 2.6.3.4.0 */
extern const struct ber_slice oid_mts_eit_ia5_text; /* id-eit-ia5-text 2.6.3.4.2 */
extern const struct ber_slice oid_mts_eit_g3_facsimile; /* id-eit-g3-facsimile 2.6.3.4.3 */
extern const struct ber_slice oid_mts_eit_g4_class_1; /* id-eit-g4-class-1 2.6.3.4.4 */
extern const struct ber_slice oid_mts_eit_teletex; /* id-eit-teletex 2.6.3.4.5 */
extern const struct ber_slice oid_mts_eit_videotex; /* id-eit-videotex 2.6.3.4.6 */
extern const struct ber_slice oid_mts_eit_voice; /* id-eit-voice 2.6.3.4.7 */
extern const struct ber_slice oid_mts_eit_sfd; /* id-eit-sfd 2.6.3.4.8 */
extern const struct ber_slice oid_mts_eit_mixed_mode; /* id-eit-mixed-mode 2.6.3.4.9 */
extern const struct ber_slice oid_mts_att; /* id-att 2.6.3.5 */
extern const struct ber_slice oid_mts_att_physicalrendition_basic; /* id-att-physicalRendition-basic 2.6.3.5.0 */
extern const struct ber_slice oid_mts_att_physicalrendition_no_cover_page; /* id-att-physicalRendition-no-cover-page 2.6.3.5.1 */
extern const struct ber_slice oid_mts_tok; /* id-tok 2.6.3.6 */
extern const struct ber_slice oid_mts_tok_asymmetrictoken; /* id-tok-asymmetricToken 2.6.3.6.0 */
extern const struct ber_slice oid_mts_sa; /* id-sa 2.6.3.7 */
extern const struct ber_slice oid_mts_sa_ua; /* id-sa-ua 2.6.3.7.0 */
extern const struct ber_slice oid_mts_sa_ms; /* id-sa-ms 2.6.3.7.1 */
extern const struct ber_slice oid_mts_ct; /* id-ct 2.6.3.8 */
extern const struct ber_slice oid_mts_ct_mts_access; /* id-ct-mts-access 2.6.3.8.0 */
extern const struct ber_slice oid_mts_ct_mts_forced_access; /* id-ct-mts-forced-access 2.6.3.8.1 */
extern const struct ber_slice oid_mts_ct_mta_transfer; /* id-ct-mta-transfer 2.6.3.8.2 */
extern const struct ber_slice oid_mts_cp; /* id-cp 2.6.3.9 */
extern const struct ber_slice oid_mts_cp_mts_connect; /* id-cp-mts-connect 2.6.3.9.0 */
extern const struct ber_slice oid_mts_cp_mta_connect; /* id-cp-mta-connect 2.6.3.9.1 */

/* MSObjectIdentifiers */
extern const struct ber_slice oid_ms_mod; /* id-mod 2.6.4.0 */
extern const struct ber_slice oid_ms_mod_object_identifiers; /* id-mod-object-identifiers 2.6.4.0.0 */
extern const struct ber_slice oid_ms_mod_abstract_service; /* id-mod-abstract-service 2.6.4.0.1 */
extern const struct ber_slice oid_ms_mod_attribute_types; /* id-mod-attribute-types 2.6.4.0.2 */
extern const struct ber_slice oid_ms_mod_action_types; /* id-mod-action-types 2.6.4.0.3 */
extern const struct ber_slice oid_ms_mod_upper_bounds; /* id-mod-upper-bounds 2.6.4.0.4 */
extern const struct ber_slice oid_ms_mod_matching_rules; /* id-mod-matching-rules 2.6.4.0.5 */
extern const struct ber_slice oid_ms_ot; /* id-ot 2.6.4.1 */
extern const struct ber_slice oid_ms_ot_ms; /* id-ot-ms 2.6.4.1.0 */
extern const struct ber_slice oid_ms_ot_ms_user; /* id-ot-ms-user 2.6.4.1.1 */
extern const struct ber_slice oid_ms_pt; /* id-pt 2.6.4.2 */
extern const struct ber_slice oid_ms_pt_retrieval_88; /* id-pt-retrieval-88 2.6.4.2.0 */
extern const struct ber_slice oid_ms_pt_retrieval_94; /* id-pt-retrieval-94 2.6.4.2.1 */
extern const struct ber_slice oid_ms_pt_ms_submission; /* id-pt-ms-submission 2.6.4.2.2 */
extern const struct ber_slice oid_ms_att; /* id-att 2.6.4.3 */
extern const struct ber_slice oid_ms_att_child_sequence_numbers; /* id-att-child-sequence-numbers 2.6.4.3.0 */
extern const struct ber_slice oid_ms_att_content; /* id-att-content 2.6.4.3.1 */
extern const struct ber_slice oid_ms_att_content_confidentiality_algorithm_identifier; /* id-att-content-confidentiality-algorithm-identifier 2.6.4.3.2 */
extern const struct ber_slice oid_ms_att_content_correlator; /* id-att-content-correlator 2.6.4.3.3 */
extern const struct ber_slice oid_ms_att_content_identifier; /* id-att-content-identifier 2.6.4.3.4 */
extern const struct ber_slice oid_ms_att_content_integrity_check; /* id-att-content-integrity-check 2.6.4.3.5 */
extern const struct ber_slice oid_ms_att_content_length; /* id-att-content-length 2.6.4.3.6 */
extern const struct ber_slice oid_ms_att_content_returned; /* id-att-content-returned 2.6.4.3.7 */
extern const struct ber_slice oid_ms_att_content_type; /* id-att-content-type 2.6.4.3.8 */
extern const struct ber_slice oid_ms_att_conversion_with_loss_prohibited; /* id-att-conversion-with-loss-prohibited 2.6.4.3.9 */
extern const struct ber_slice oid_ms_att_converted_eits; /* id-att-converted-EITs 2.6.4.3.10 */
extern const struct ber_slice oid_ms_att_creation_time; /* id-att-creation-time 2.6.4.3.11 */
extern const struct ber_slice oid_ms_att_delivered_eits; /* id-att-delivered-EITs 2.6.4.3.12 */
extern const struct ber_slice oid_ms_att_delivery_flags; /* id-att-delivery-flags 2.6.4.3.13 */
extern const struct ber_slice oid_ms_att_dl_expansion_history; /* id-att-dl-expansion-history 2.6.4.3.14 */
extern const struct ber_slice oid_ms_att_retrieval_status; /* id-att-retrieval-status 2.6.4.3.15 */
extern const struct ber_slice oid_ms_att_entry_type; /* id-att-entry-type 2.6.4.3.16 */
extern const struct ber_slice oid_ms_att_originally_intended_recipient_name; /* id-att-originally-intended-recipient-name 2.6.4.3.17 */
extern const struct ber_slice oid_ms_att_message_delivery_envelope; /* id-att-message-delivery-envelope 2.6.4.3.18 */
extern const struct ber_slice oid_ms_att_message_identifier; /* id-att-message-identifier 2.6.4.3.19 */
extern const struct ber_slice oid_ms_att_message_delivery_time; /* id-att-message-delivery-time 2.6.4.3.20 */
extern const struct ber_slice oid_ms_att_message_origin_authentication_check; /* id-att-message-origin-authentication-check 2.6.4.3.21 */
extern const struct ber_slice oid_ms_att_message_security_label; /* id-att-message-security-label 2.6.4.3.22 */
extern const struct ber_slice oid_ms_att_message_submission_time; /* id-att-message-submission-time 2.6.4.3.23 */
extern const struct ber_slice oid_ms_att_message_token; /* id-att-message-token 2.6.4.3.24 */
extern const struct ber_slice oid_ms_att_original_eits; /* id-att-original-EITs 2.6.4.3.25 */
extern const struct ber_slice oid_ms_att_originator_certificate; /* id-att-originator-certificate 2.6.4.3.26 */
extern const struct ber_slice oid_ms_att_originator_name; /* id-att-originator-name 2.6.4.3.27 */
extern const struct ber_slice oid_ms_att_other_recipient_names; /* id-att-other-recipient-names 2.6.4.3.28 */
extern const struct ber_slice oid_ms_att_parent_sequence_number; /* id-att-parent-sequence-number 2.6.4.3.29 */
extern const struct ber_slice oid_ms_att_per_recipient_report_delivery_fields; /* id-att-per-recipient-report-delivery-fields 2.6.4.3.30 */
extern const struct ber_slice oid_ms_att_priority; /* id-att-priority 2.6.4.3.31 */
extern const struct ber_slice oid_ms_att_proof_of_delivery_request; /* id-att-proof-of-delivery-request 2.6.4.3.32 */
extern const struct ber_slice oid_ms_att_redirection_history; /* id-att-redirection-history 2.6.4.3.33 */
extern const struct ber_slice oid_ms_att_report_delivery_envelope; /* id-att-report-delivery-envelope 2.6.4.3.34 */
extern const struct ber_slice oid_ms_att_reporting_dl_name; /* id-att-reporting-DL-name 2.6.4.3.35 */
extern const struct ber_slice oid_ms_att_reporting_mta_certificate; /* id-att-reporting-MTA-certificate 2.6.4.3.36 */
extern const struct ber_slice oid_ms_att_report_origin_authentication_check; /* id-att-report-origin-authentication-check 2.6.4.3.37 */
extern const struct ber_slice oid_ms_att_security_classification; /* id-att-security-classification 2.6.4.3.38 */
extern const struct ber_slice oid_ms_att_sequence_number; /* id-att-sequence-number 2.6.4.3.39 */
extern const struct ber_slice oid_ms_att_subject_submission_identifier; /* id-att-subject-submission-identifier 2.6.4.3.40 */
extern const struct ber_slice oid_ms_att_this_recipient_name; /* id-att-this-recipient-name 2.6.4.3.41 */
extern const struct ber_slice oid_ms_att_ac_correlated_report_list; /* id-att-ac-correlated-report-list 2.6.4.3.42 */
extern const struct ber_slice oid_ms_att_ac_report_summary; /* id-att-ac-report-summary 2.6.4.3.43 */
extern const struct ber_slice oid_ms_att_ac_uncorrelated_report_list; /* id-att-ac-uncorrelated-report-list 2.6.4.3.44 */
extern const struct ber_slice oid_ms_att_auto_action_error; /* id-att-auto-action-error 2.6.4.3.46 */
extern const struct ber_slice oid_ms_att_auto_action_registration_identifier; /* id-att-auto-action-registration-identifier 2.6.4.3.47 */
extern const struct ber_slice oid_ms_att_auto_action_subject_entry; /* id-att-auto-action-subject-entry 2.6.4.3.48 */
extern const struct ber_slice oid_ms_att_auto_action_type; /* id-att-auto-action-type 2.6.4.3.49 */
extern const struct ber_slice oid_ms_att_deferred_delivery_cancellation_time; /* id-att-deferred-delivery-cancellation-time 2.6.4.3.50 */
extern const struct ber_slice oid_ms_att_deferred_delivery_time; /* id-att-deferred-delivery-time 2.6.4.3.51 */
extern const struct ber_slice oid_ms_att_deletion_time; /* id-att-deletion-time 2.6.4.3.52 */
extern const struct ber_slice oid_ms_att_dl_expansion_prohibited; /* id-att-dl-expansion-prohibited 2.6.4.3.53 */
extern const struct ber_slice oid_ms_att_internal_trace_information; /* id-att-internal-trace-information 2.6.4.3.54 */
extern const struct ber_slice oid_ms_att_latest_delivery_time; /* id-att-latest-delivery-time 2.6.4.3.55 */
extern const struct ber_slice oid_ms_att_marked_for_deletion; /* id-att-marked-for-deletion 2.6.4.3.56 */
extern const struct ber_slice oid_ms_att_message_group_name; /* id-att-message-group-name 2.6.4.3.57 */
extern const struct ber_slice oid_ms_att_message_notes; /* id-att-message-notes 2.6.4.3.58 */
extern const struct ber_slice oid_ms_att_message_submission_envelope; /* id-att-message-submission-envelope 2.6.4.3.59 */
extern const struct ber_slice oid_ms_att_ms_originated; /* id-att-ms-originated 2.6.4.3.60 */
extern const struct ber_slice oid_ms_att_ms_submission_error; /* id-att-ms-submission-error 2.6.4.3.61 */
extern const struct ber_slice oid_ms_att_originating_mta_certificate; /* id-att-originating-MTA-certificate 2.6.4.3.62 */
extern const struct ber_slice oid_ms_att_originator_report_request; /* id-att-originator-report-request 2.6.4.3.63 */
extern const struct ber_slice oid_ms_att_originator_return_address; /* id-att-originator-return-address 2.6.4.3.64 */
extern const struct ber_slice oid_ms_att_per_message_indicators; /* id-att-per-message-indicators 2.6.4.3.65 */
extern const struct ber_slice oid_ms_att_per_recipient_message_submission_fields; /* id-att-per-recipient-message-submission-fields 2.6.4.3.66 */
extern const struct ber_slice oid_ms_att_per_recipient_probe_submission_fields; /* id-att-per-recipient-probe-submission-fields 2.6.4.3.67 */
extern const struct ber_slice oid_ms_att_probe_origin_authentication_check; /* id-att-probe-origin-authentication-check 2.6.4.3.68 */
extern const struct ber_slice oid_ms_att_probe_submission_envelope; /* id-att-probe-submission-envelope 2.6.4.3.69 */
extern const struct ber_slice oid_ms_att_proof_of_submission; /* id-att-proof-of-submission 2.6.4.3.70 */
extern const struct ber_slice oid_ms_att_recipient_names; /* id-att-recipient-names 2.6.4.3.71 */
extern const struct ber_slice oid_ms_att_recipient_reassignment_prohibited; /* id-att-recipient-reassignment-prohibited 2.6.4.3.72 */
extern const struct ber_slice oid_ms_att_storage_period; /* id-att-storage-period 2.6.4.3.73 */
extern const struct ber_slice oid_ms_att_storage_time; /* id-att-storage-time 2.6.4.3.74 */
extern const struct ber_slice oid_ms_att_trace_information; /* id-att-trace-information 2.6.4.3.75 */
extern const struct ber_slice oid_ms_att_ac_report_subject_entry; /* id-att-ac-report-subject-entry 2.6.4.3.76 */
extern const struct ber_slice oid_ms_att_locally_originated; /* id-att-locally-originated 2.6.4.3.77 */
extern const struct ber_slice oid_ms_att_dl_exempted_recipients; /* id-att-dl-exempted-recipients 2.6.4.3.78 */
extern const struct ber_slice oid_ms_att_signature_verification_status; /* id-att-signature-verification-status 2.6.4.3.79 */
extern const struct ber_slice oid_ms_att_certificate_selectors; /* id-att-certificate-selectors 2.6.4.3.80 */
extern const struct ber_slice oid_ms_att_multiple_originator_certificates; /* id-att-multiple-originator-certificates 2.6.4.3.81 */
extern const struct ber_slice oid_ms_att_recipient_certificate; /* id-att-recipient-certificate 2.6.4.3.82 */
extern const struct ber_slice oid_ms_act; /* id-act 2.6.4.4 */
extern const struct ber_slice oid_ms_act_ipm_auto_forward; /* id-act-ipm-auto-forward 2.6.4.4.0 */
extern const struct ber_slice oid_ms_act_auto_alert; /* id-act-auto-alert 2.6.4.4.1 */
extern const struct ber_slice oid_ms_act_auto_correlate_reports; /* id-act-auto-correlate-reports 2.6.4.4.2 */
extern const struct ber_slice oid_ms_act_auto_delete; /* id-act-auto-delete 2.6.4.4.3 */
extern const struct ber_slice oid_ms_act_auto_modify; /* id-act-auto-modify 2.6.4.4.4 */
extern const struct ber_slice oid_ms_crt; /* id-crt 2.6.4.5 */
extern const struct ber_slice oid_ms_crt_ms_access_88; /* id-crt-ms-access-88 2.6.4.5.0 */
extern const struct ber_slice oid_ms_crt_ms_access_94; /* id-crt-ms-access-94 2.6.4.5.1 */
extern const struct ber_slice oid_ms_cp; /* id-cp 2.6.4.6 */
extern const struct ber_slice oid_ms_cp_ms_connection; /* id-cp-ms-connection 2.6.4.6.0 */
extern const struct ber_slice oid_ms_aae; /* id-aae 2.6.4.7 */
extern const struct ber_slice oid_ms_aae_auto_alert_error; /* id-aae-auto-alert-error 2.6.4.7.0 */
extern const struct ber_slice oid_ms_mr; /* id-mr 2.6.4.8 */
extern const struct ber_slice oid_ms_mr_content_correlator_match; /* id-mr-content-correlator-match 2.6.4.8.1 */
extern const struct ber_slice oid_ms_mr_content_identifier_match; /* id-mr-content-identifier-match 2.6.4.8.2 */
extern const struct ber_slice oid_ms_mr_ms_single_substring_list_elements_match; /* id-mr-ms-single-substring-list-elements-match 2.6.4.8.3 */
extern const struct ber_slice oid_ms_mr_ms_single_substring_list_match; /* id-mr-ms-single-substring-list-match 2.6.4.8.4 */
extern const struct ber_slice oid_ms_mr_ms_single_substring_match; /* id-mr-ms-single-substring-match 2.6.4.8.5 */
extern const struct ber_slice oid_ms_mr_ms_substrings_match; /* id-mr-ms-substrings-match 2.6.4.8.6 */
extern const struct ber_slice oid_ms_mr_msstring_case_sensitive_match; /* id-mr-msstring-case-sensitive-match 2.6.4.8.7 */
extern const struct ber_slice oid_ms_mr_msstring_list_elements_match; /* id-mr-msstring-list-elements-match 2.6.4.8.8 */
extern const struct ber_slice oid_ms_mr_msstring_list_match; /* id-mr-msstring-list-match 2.6.4.8.9 */
extern const struct ber_slice oid_ms_mr_msstring_match; /* id-mr-msstring-match 2.6.4.8.10 */
extern const struct ber_slice oid_ms_mr_msstring_ordering_match; /* id-mr-msstring-ordering-match 2.6.4.8.11 */
extern const struct ber_slice oid_ms_mr_mts_identifier_match; /* id-mr-mts-identifier-match 2.6.4.8.12 */
extern const struct ber_slice oid_ms_mr_oraddress_elements_match; /* id-mr-oraddress-elements-match 2.6.4.8.13 */
extern const struct ber_slice oid_ms_mr_oraddress_match; /* id-mr-oraddress-match 2.6.4.8.14 */
extern const struct ber_slice oid_ms_mr_oraddress_substring_elements_match; /* id-mr-oraddress-substring-elements-match 2.6.4.8.15 */
extern const struct ber_slice oid_ms_mr_orname_elements_match; /* id-mr-orname-elements-match 2.6.4.8.16 */
extern const struct ber_slice oid_ms_mr_orname_match; /* id-mr-orname-match 2.6.4.8.17 */
extern const struct ber_slice oid_ms_mr_orname_single_element_match; /* id-mr-orname-single-element-match 2.6.4.8.18 */
extern const struct ber_slice oid_ms_mr_orname_substring_elements_match; /* id-mr-orname-substring-elements-match 2.6.4.8.19 */
extern const struct ber_slice oid_ms_mr_redirection_or_dl_expansion_elements_match; /* id-mr-redirection-or-dl-expansion-elements-match 2.6.4.8.20 */
extern const struct ber_slice oid_ms_mr_redirection_or_dl_expansion_match; /* id-mr-redirection-or-dl-expansion-match 2.6.4.8.21 */
extern const struct ber_slice oid_ms_mr_redirection_or_dl_expansion_substring_elements_match; /* id-mr-redirection-or-dl-expansion-substring-elements-match 2.6.4.8.22 */
extern const struct ber_slice oid_ms_mr_redirection_reason_match; /* id-mr-redirection-reason-match 2.6.4.8.23 */
extern const struct ber_slice oid_ms_mr_value_count_match; /* id-mr-value-count-match 2.6.4.8.24 */
extern const struct ber_slice oid_ms_mr_redirection_or_dl_expansion_single_element_match; /* id-mr-redirection-or-dl-expansion-single-element-match 2.6.4.8.25 */
extern const struct ber_slice oid_ms_ext; /* id-ext 2.6.4.9 */
extern const struct ber_slice oid_ms_ext_modify_capability; /* id-ext-modify-capability 2.6.4.9.0 */
extern const struct ber_slice oid_ms_ext_modify_retrieval_status_capability; /* id-ext-modify-retrieval-status-capability 2.6.4.9.1 */
extern const struct ber_slice oid_ms_ext_originator_certificate_selectors_override; /* id-ext-originator-certificate-selectors-override 2.6.4.9.2 */
extern const struct ber_slice oid_ms_ext_originator_token; /* id-ext-originator-token 2.6.4.9.3 */
extern const struct ber_slice oid_ms_ext_protected_change_credentials; /* id-ext-protected-change-credentials 2.6.4.9.4 */
extern const struct ber_slice oid_ms_ext_protected_change_credentials_capability; /* id-ext-protected-change-credentials-capability 2.6.4.9.5 */
extern const struct ber_slice oid_ms_alg; /* id-alg 2.6.4.10 */
extern const struct ber_slice oid_ms_alg_password_xor; /* id-alg-password-xor 2.6.4.10.0 */

#endif
