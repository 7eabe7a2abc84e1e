#!/usr/bin/env python3
"""Generates docs/openapi.json (OpenAPI 3.1) from the route table below.

The JSON file is what the server serves and CI checks (a standard parser validates it, and the
routes the server registers must match its paths exactly). Edit this table, run
`python3 docs/openapi.py`, and commit both files.
"""
import json
import pathlib

PROBLEM = {"$ref": "#/components/responses/Problem"}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props, required=(), additional=False, description=None):
    s = {"type": "object", "properties": props, "additionalProperties": additional}
    if required:
        s["required"] = list(required)
    if description:
        s["description"] = description
    return s


S = {"type": "string"}
I = {"type": "integer"}
B = {"type": "boolean"}
N = {"type": "number"}
ANY_OBJ = {"type": "object"}


def arr(items):
    return {"type": "array", "items": items}


SCHEMAS = {
    "Problem": obj({
        "type": {"type": "string", "format": "uri", "description": "urn:yiwang:problem:<code>"},
        "title": S, "status": I, "detail": S, "instance": S,
        "field": {"type": "string", "description": "JSON pointer of the offending input"},
        "message_zh": S, "message_en": S, "request_id": S,
    }, ["type", "title", "status"], additional=True,
        description="RFC 9457 problem details with Chinese and English messages"),
    "LoginRequest": obj({"username": S, "password": S}, ["username", "password"]),
    "LoginResponse": obj({"token": S, "expires_at": {"type": "string", "format": "date-time"},
                          "user": ref("User")}, ["token", "user"], additional=True),
    "RegisterRequest": obj({"username": S, "password": S,
                            "kind": {"enum": ["citizen", "business"]}, "display_name": S,
                            "id_number": {"type": "string", "description": "公民身份号码 (GB 11643) or 统一社会信用代码 (GB 32100)"},
                            "division_code": S, "phone": S},
                           ["username", "password", "kind", "display_name", "id_number"]),
    "NewUser": obj({"username": S, "password": S,
                    "kind": {"enum": ["citizen", "business", "official"]}, "display_name": S,
                    "id_number": S, "division_code": S, "phone": S, "dept_id": S,
                    "roles": arr({"enum": ["clerk", "reviewer", "approver", "supervisor", "admin",
                                                   "security_admin", "auditor"]})},
                   ["username", "password", "kind", "display_name"]),
    "User": obj({"id": S, "username": S, "kind": S, "display_name": S, "roles": arr(S),
                 "dept_id": S, "division_code": S, "id_number_masked": S}, ["id", "username", "kind"],
                additional=True),
    "Department": obj({"id": S, "name": S, "uscc": S, "division_code": S, "parent_id": S},
                      ["id", "name"], additional=True),
    "Division": obj({"code": S, "name": S, "parent_code": S}, ["code", "name"], additional=True),
    "Material": obj({"name": S, "issuing_body": S, "originals": I, "copies": I, "mandatory": B,
                     "note": S, "certificate_type": S}, ["name"], additional=True),
    "FormField": obj({"name": S, "label_zh": S, "label_en": S,
                      "type": {"enum": ["string", "text", "integer", "number", "boolean", "date", "enum",
                                        "citizen_id", "uscc", "phone"]},
                      "required": B, "min": N, "max": N, "max_length": I, "options": arr(S)},
                     ["name", "type"], additional=True),
    "WorkflowStep": obj({"name": S, "kind": {"enum": ["review", "decide"]}, "dept_ids": arr(S), "role": S},
                        ["name", "kind"], additional=True),
    "Item": obj({
        "code": {"type": "string", "description": "实施编码 (≤ 24)"},
        "basic_code": {"type": "string", "description": "基本编码 (≤ 10)"},
        "version": I, "name": S,
        "item_type": {"type": "string", "description": "GB/T 39046 A.1: 01 行政许可 … 07 行政确认 … 20 公共服务"},
        "item_type_name": S,
        "exercise_level": {"type": "string", "description": "A.2: 1 国家 … 7 分级管理"},
        "dept_id": S, "joint_dept_ids": arr(S), "legal_basis": S,
        "legal_limit": I, "promised_limit": I,
        "limit_unit": {"enum": ["working_days", "natural_days"]}, "limit_note": S,
        "acceptance_conditions": S, "procedure": S, "materials": arr(ref("Material")),
        "fee": B, "fee_basis": S, "tongban_scope": S,
        "service_objects": arr({"type": "string", "description": "A.4"}),
        "handling_forms": arr({"type": "string", "description": "A.5"}),
        "case_type": {"type": "string", "description": "A.6: 1 即办件, 2 承诺件, 9 其他"},
        "online_depth": I, "max_visits": I, "min_assurance": {"enum": ["claimed", "verified", "in_person"]},
        "result_name": S, "result_certificate_type": S,
        "place": S, "hours": S, "consult_phone": S, "supervise_phone": S,
        "faqs": arr(obj({"question": S, "answer": S})),
        "form": arr(ref("FormField")), "workflow": arr(ref("WorkflowStep")),
        "instant_rules": {"type": ["object", "null"], "description": "秒批 rule set"},
        "active": B, "published_at": {"type": "string", "format": "date-time"},
    }, ["code", "name", "item_type", "dept_id"], additional=True,
        description="Service item (事项) per GB/T 39046-2020"),
    "ItemList": obj({"items": arr(ANY_OBJ), "total": I, "weak": B, "suggestion": S},
                    ["items", "total", "weak"], additional=True),
    "DryRunRequest": obj({"form": ANY_OBJ, "applicant": obj({
        "kind": S, "age": I, "division_code": S, "open_cases_same_item": I}, additional=True)},
        additional=True),
    "RuleEvaluation": obj({"eligible": B, "outcomes": arr(obj({"id": S, "description_zh": S,
                                                              "passed": B, "detail": S}, additional=True))},
                          ["eligible", "outcomes"], additional=True),
    "MaterialRef": obj({"name": S, "sha256": {"type": "string", "description": "an uploaded file (POST /files)"},
                        "certificate_id": S}, ["name"]),
    "Applicant": obj({"kind": {"enum": ["citizen", "business"]}, "name": S,
                      "id_number": {"type": "string", "description": "公民身份号码 or 统一社会信用代码"},
                      "phone": S, "division_code": S}, ["kind", "name", "id_number"]),
    "NewCase": obj({"item_code": S, "form": ANY_OBJ, "materials": arr(ref("MaterialRef")),
                    "applicant": {**ref("Applicant"), "description": "window filing (窗口代办) by a clerk"}},
                   ["item_code", "form"]),
    "Clock": obj({"limit_days": I, "natural_days": B, "used_days": I, "remaining_days": I,
                  "deadline": {"type": ["string", "null"], "format": "date"}, "paused": B,
                  "alert": {"enum": ["none", "yellow", "red"]}}, additional=True),
    "Step": obj({"index": I, "name": S, "kind": {"enum": ["review", "decide"]}, "dept_ids": arr(S), "role": S,
                 "status": {"enum": ["pending", "active", "done", "skipped"]}, "approvals": arr(ANY_OBJ)},
                additional=True),
    "Case": obj({"id": {"type": "string", "description": "办件编号 (申报号)"}, "item_code": S, "item_version": I,
                 "item_name": S, "dept_id": S, "case_type": S,
                 "state": {"enum": ["submitted", "correction", "in_review", "suspended", "not_accepted",
                                    "granted", "denied", "completed", "withdrawn"]},
                 "applicant": ANY_OBJ, "channel": {"enum": ["online", "window"]},
                 "steps": arr(ref("Step")), "current_step": I, "decision": S, "decision_opinion": S,
                 "instant_rule": S, "clock": {"oneOf": [ref("Clock"), {"type": "null"}]}, "form": ANY_OBJ,
                 "revision": I}, ["id", "state"], additional=True),
    "CaseList": obj({"cases": arr(ref("Case")), "total": I}, ["cases"], additional=True),
    "CaseAction": obj({
        "action": {"enum": ["accept", "reject", "request_correction", "resubmit", "approve", "disapprove",
                            "grant", "deny", "complete", "withdraw", "suspend", "resume"]},
        "opinion": S, "form": ANY_OBJ, "materials": arr(ref("MaterialRef")),
        "procedure": {"enum": ["hearing", "expert_review", "extension", "on_site_inspection"]},
        "expected_revision": I}, ["action"],
        description="Workflow action: form and materials go with resubmit, procedure with suspend"),
    "RatingRequest": obj({"level": {"type": "integer", "minimum": 1, "maximum": 5,
                                    "description": "5 非常满意 … 1 非常不满意"},
                          "indicators": arr(S), "comment": S}, ["level"]),
    "Rating": obj({"level": I, "label": S}, ["level", "label"], additional=True),
    "Alerts": obj({"alerts": arr(ANY_OBJ), "departments": arr(ANY_OBJ), "swept_at": S}, additional=True),
    "CockpitSummary": obj({
        "generated_at": S, "swept_at": {"type": ["string", "null"]}, "days": I,
        "period": obj({"from": S, "to": S, "completed": I, "on_time": I}, additional=True),
        "totals": obj({"cases": I, "open": I, "completed": I, "red": I, "yellow": I}, additional=True),
        "by_state": {"type": "object", "additionalProperties": I},
        "by_department": arr(obj({"dept_id": S, "dept_name": S, "total": I, "open": I, "completed": I,
                                  "overdue": I, "period_completed": I, "period_on_time": I,
                                  "on_time_rate": {"type": ["number", "null"]},
                                  "avg_working_days": {"type": ["number", "null"]},
                                  "promised_days": {"type": ["number", "null"]},
                                  "satisfaction": {"type": ["number", "null"]}}, additional=True)),
        "channels": obj({"online": I, "window": I}, additional=True),
        "online_rate": {"type": ["number", "null"]}, "on_time_rate": {"type": ["number", "null"]},
        "on_time_goal": N, "avg_working_days": {"type": ["number", "null"]},
        "avg_promised_days": {"type": ["number", "null"]},
        "satisfaction": obj({"count": I, "average": {"type": ["number", "null"]},
                             "good_rate": {"type": ["number", "null"]}}, additional=True),
        "overdue": arr(obj({"case_id": S, "item_name": S, "dept_id": S, "dept_name": S, "days_over": I,
                            "natural_days": B, "deadline": {"type": ["string", "null"]}}, additional=True)),
        "trend": arr(obj({"date": S, "filed": I, "completed": I}, additional=True)),
    }, ["generated_at", "totals", "by_state", "by_department", "trend"], additional=True,
        description="领导驾驶舱: counts over all cases; on-time and working days over cases completed in the last `days` days (UTC+8); red/yellow as of the last sweep"),
    "Events": obj({"events": arr(ANY_OBJ), "next_after": I}, ["events"], additional=True),
    "Health": obj({"status": S, "version": S, "store": S, "last_event_seq": I}, ["status"], additional=True),
    "FileRef": obj({"sha256": S, "size": I, "content_type": S}, ["sha256"], additional=True),
    "CertificateReuse": obj({"items": arr(obj({"item_code": S, "item_name": S, "cases": I, "materials": I,
                                               "by_certificate": I, "share": N}, additional=True))},
                            ["items"], additional=True),
    "CertificateType": obj({"code": S, "name": S, "defining_body": S, "dept_id": S,
                            "holder_kind": {"enum": ["citizen", "business"]}, "validity_years": I,
                            "vct": {"type": "string", "format": "uri"}}, ["code", "name"], additional=True),
    "Certificate": obj({
        "identifier": {"type": "string", "description": "证照标识 (GB/T 36904), MOD 37,36 check character"},
        "number": S, "name": S, "version": I, "type_code": S, "type_name": S, "issue_date": S,
        "issuer_name": S, "issuer_uscc": S, "dept_id": S, "valid_from": S, "valid_to": S,
        "division_code": S, "holder_name": S, "holder_id": S,
        "holder_id_type": {"type": "string", "description": "111 公民身份号码, 001 统一社会信用代码"},
        "item_code": S, "case_id": S, "data": ANY_OBJ,
        "status": {"enum": ["valid", "suspended", "revoked", "expired"]}, "status_reason": S,
        "status_list": ANY_OBJ, "issued_at": S,
        "sd_jwt": {"type": "string", "description": "SD-JWT VC (wallet only)"},
        "annotation": {"type": "object", "description": "加注件: used_by, dept, use_cause, used_at, valid_until (用证 only)"},
    }, ["identifier", "status"], additional=True,
        description="Electronic certificate (电子证照) with the GB/T 36903 catalog fields"),
    "NewCertificate": obj({"type_code": S, "number": S, "holder_name": S, "holder_id": S, "holder_id_type": S,
                           "valid_from": S, "valid_to": S, "item_code": S, "data": ANY_OBJ},
                          ["type_code", "holder_name", "holder_id"], additional=True),
    "StatusChange": obj({"status": {"enum": ["valid", "suspended", "revoked"]}, "reason": S},
                        ["status", "reason"]),
    "PresentationRequest": obj({"claims": arr(S), "verifier": S,
                                "purpose": {"type": "string", "description": "用证事由"}},
                               ["claims", "verifier", "purpose"]),
    "Presentation": obj({"presentation": {"type": "string", "description": "SD-JWT with the chosen disclosures"}},
                        ["presentation"], additional=True),
    "VerifyRequest": obj({"presentation": S}, ["presentation"]),
    "Verification": obj({"valid": B, "identifier": S, "type_name": S, "issuer": S, "vct": S,
                         "signature_ok": B, "status_ok": B, "validity_ok": B, "disclosed": ANY_OBJ},
                        ["valid"], additional=True),
    "ImportReport": obj({"imported": I}, ["imported"], additional=True),
    "LedgerKey": obj({"origin": S, "verifier_key": {"type": "string",
                                                    "description": "signed-note verifier key <name>+<hash>+<base64(0x01‖pubkey)>"}},
                     ["origin", "verifier_key"]),
    "LedgerEntry": obj({"index": I, "entry": {"type": "string", "contentEncoding": "base64",
                                              "description": "the exact logged bytes (canonical JSON)"},
                        "leaf_hash": {"type": "string", "contentEncoding": "base64"}},
                       ["index", "entry", "leaf_hash"]),
    "InclusionProof": obj({"index": I, "size": I, "leaf_hash": S, "proof": arr(S)},
                          ["index", "size", "leaf_hash", "proof"],
                          description="RFC 9162 inclusion proof; hashes base64"),
    "ConsistencyProof": obj({"old": I, "new": I, "proof": arr(S)}, ["old", "new", "proof"],
                            description="RFC 9162 consistency proof; hashes base64"),
    "LedgerActs": obj({"items": arr(obj({"index": I, "leaf_hash": S, "act": S, "event_seq": I, "at": S},
                                        additional=True))}, ["items"]),
    "Receipt": obj({"subject_type": S, "subject_id": S, "acts": arr(ANY_OBJ), "party": S,
                    "salt": {"type": "string", "description": "opens the commitment in the public entries"},
                    "commitment": {"type": "string",
                                   "description": "hex SHA-256(\"yiwang/commitment/v1\\n\" ‖ salt ‖ \"\\n\" ‖ party)"}},
                   ["acts"], additional=True),
    # Q&A assistant (智能问答)
    "AskRequest": obj({"question": {"type": "string", "maxLength": 300},
                       "context": obj({"kind": {"enum": ["item", "document"]}, "ref": S}, ["kind", "ref"],
                                      description="the previous answer's context, for follow-ups")},
                      ["question"]),
    "AssistantSource": obj({"kind": {"enum": ["item", "document"]},
                            "ref": {"type": "string", "description": "item code, or <document id>#<passage position>"},
                            "title": S, "snippet": S, "score": N,
                            "link": {"type": "string", "description": "web app page of the item (apply there)"}},
                           ["kind", "ref", "title", "snippet"]),
    "Answer": obj({"answer": S, "sources": arr(ref("AssistantSource")), "confidence": N,
                   "handoff": {"type": "boolean", "description": "unsure or out of domain: ask a person (12345)"},
                   "handoff_contact": obj({"name": S, "phone": S, "note_zh": S, "note_en": S}),
                   "intent": S, "follow_up": B,
                   "context": {"type": ["object", "null"], "description": "send back with the next question"}},
                  ["answer", "sources", "confidence", "handoff"]),
    "RecommendRequest": obj({"question": S, "life_event": {"type": "string", "description": "id or name, e.g. birth / 生孩子"}}),
    "Recommendation": obj({"life_event": {"type": ["object", "null"]},
                           "steps": arr(obj({"order": I, "item_code": S, "title": S, "note": S,
                                             "available": B, "link": S}, ["order", "title", "available"]))},
                          ["steps"]),
    "LifeEvents": obj({"life_events": arr(obj({"id": S, "name": S, "description": S}, ["id", "name"]))},
                      ["life_events"]),
    "FeedbackRequest": obj({"question": S, "answer_ref": S, "useful": B, "comment": S},
                           ["question", "answer_ref", "useful"]),
    "FeedbackCreated": obj({"id": S}, ["id"]),
    "KbDocumentRequest": obj({"title": S, "format": {"enum": ["text", "markdown", "html", "pdf"]},
                              "text": S, "file": {"type": "string", "contentEncoding": "base64"},
                              "source": S}, description="exactly one of text or file"),
    "KbDocument": obj({"id": S, "title": S, "format": S, "source": S, "sha256": S, "version": I,
                       "passages": I, "chars": I, "created_at": S, "updated_at": S},
                      ["id", "title", "format", "version", "passages"], additional=True),
    "KbDocuments": obj({"documents": arr(ref("KbDocument")), "total": I}, ["documents"]),
    "AnyObject": {"type": "object"},
}

# (method, path, operationId, tag, summary, auth, request schema or None, success status, response schema)
ROUTES = [
    ("get", "/api/v1/health", "getHealth", "platform", "Liveness and store status", False, None, 200, "Health"),
    ("get", "/api/v1/openapi.json", "getOpenApi", "platform", "This document", False, None, 200, "AnyObject"),
    ("get", "/assets/common.css", "getCommonCss", "platform", "Stylesheet shared by the built-in web pages", False, None, 200, None),
    ("get", "/assets/common.js", "getCommonJs", "platform", "Script shared by the built-in web pages (large-text mode, way back to the portal)", False, None, 200, None),
    ("get", "/api/v1/audit", "listAuditEvents", "platform", "Audit trail (audit administrators; supervisors for case events)", True, None, 200, "Events"),
    ("get", "/api/v1/audit/integrity", "checkAuditTrail", "platform", "Recompute the audit trail's hash chain (audit administrators)", True, None, 200, "AuditIntegrity"),
    ("get", "/api/v1/audit/export", "exportAuditTrail", "platform", "The audit trail of a date range as JSON Lines with its chain hashes (audit administrators)", True, None, 200, None),
    ("post", "/api/v1/auth/login", "login", "identity", "Log in; returns an opaque session token (officials also give a TOTP code)", False, "LoginRequest", 200, "LoginResponse"),
    ("post", "/api/v1/auth/logout", "logout", "identity", "End the session", True, None, 204, None),
    ("post", "/api/v1/auth/register", "register", "identity", "Register a citizen or business account", False, "RegisterRequest", 201, "User"),
    ("get", "/api/v1/me", "getMe", "identity", "The logged-in user", True, None, 200, "User"),
    ("get", "/api/v1/users", "listUsers", "identity", "List users (security administrators)", True, None, 200, "AnyObject"),
    ("post", "/api/v1/users", "createUser", "identity", "Create a user (security administrators)", True, "NewUser", 201, "User"),
    ("put", "/api/v1/users/{id}/roles", "setUserRoles", "identity", "Replace an official's roles (security administrators; not one's own)", True, "AnyObject", 200, "User"),
    ("post", "/api/v1/users/{id}/unlock", "unlockUser", "identity", "Clear an account's sign-in delays (security administrators)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/departments", "listDepartments", "identity", "Departments (public)", False, None, 200, "AnyObject"),
    ("post", "/api/v1/departments", "createDepartment", "identity", "Create a department (system administrators)", True, "Department", 201, "Department"),
    ("get", "/api/v1/divisions", "listDivisions", "identity", "Administrative divisions (GB/T 2260)", False, None, 200, "AnyObject"),
    ("get", "/api/v1/items", "listItems", "catalog", "Search service items (q, dept, type, object)", False, None, 200, "ItemList"),
    ("post", "/api/v1/items", "createItem", "catalog", "Publish a new item (admin)", True, "Item", 201, "Item"),
    ("get", "/api/v1/items/{code}", "getItem", "catalog", "Current version of an item", False, None, 200, "Item"),
    ("put", "/api/v1/items/{code}", "updateItem", "catalog", "Publish a new version of an item (admin)", True, "Item", 200, "Item"),
    ("get", "/api/v1/items/{code}/versions/{version}", "getItemVersion", "catalog", "A past version of an item", False, None, 200, "Item"),
    ("put", "/api/v1/items/{code}/active", "setItemActive", "catalog", "Activate or deactivate an item (admin)", True, "AnyObject", 200, "AnyObject"),
    ("post", "/api/v1/items/{code}/instant-rules/dry-run", "dryRunInstantRules", "catalog", "Evaluate the item's 秒批 rules without filing", True, "DryRunRequest", 200, "RuleEvaluation"),
    ("post", "/api/v1/cases", "fileCase", "cases", "File a case (online, or by a window clerk on behalf of an applicant)", True, "NewCase", 201, "Case"),
    ("get", "/api/v1/cases", "listCases", "cases", "Cases visible to the caller (state, dept, mine, item, alert)", True, None, 200, "CaseList"),
    ("get", "/api/v1/cases/{id}", "getCase", "cases", "A case with its steps and statutory clock", True, None, 200, "Case"),
    ("post", "/api/v1/cases/{id}/actions", "actOnCase", "cases", "Perform a workflow action", True, "CaseAction", 200, "Case"),
    ("get", "/api/v1/cases/{id}/history", "getCaseHistory", "cases", "Every transition with actor, role, time and opinion; officials reading also get each acting official's name (actor.name, else null)", True, None, 200, "AnyObject"),
    ("post", "/api/v1/cases/{id}/rating", "rateCase", "cases", "Rate a completed case (好差评)", True, "RatingRequest", 201, "Rating"),
    ("get", "/api/v1/supervision/alerts", "listAlerts", "supervision", "电子监察 yellow and red alerts with department roll-ups", True, None, 200, "Alerts"),
    ("post", "/api/v1/supervision/sweep", "runSweep", "supervision", "Run one 电子监察 sweep now (supervisor, admin)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/inbox", "listInbox", "supervision", "The caller's in-app notifications, newest first (unread=true|false, limit, offset): staff alerts, publication review notices, and the notices of applicants' own cases, appeals, certificates and grid reports. Each message: id, kind (the event type for notices), title and body (Chinese), title_en and body_en (English, \"\" when none), subject_type, subject_id, created_at, read", True, None, 200, "AnyObject"),
    ("post", "/api/v1/inbox/{id}/read", "markInboxRead", "supervision", "Mark a notification read", True, None, 200, "AnyObject"),
    ("get", "/api/v1/calendar", "getCalendar", "calendar", "Holiday and adjusted-workday table", False, None, 200, "AnyObject"),
    ("put", "/api/v1/calendar/{date}", "setCalendarDay", "calendar", "Declare a holiday or an adjusted working day (admin)", True, "AnyObject", 200, "AnyObject"),
    ("delete", "/api/v1/calendar/{date}", "clearCalendarDay", "calendar", "Remove an exception (admin)", True, None, 204, None),
    ("get", "/api/v1/ratings/summary", "ratingSummary", "ratings", "Ratings rolled up by item or department", True, None, 200, "AnyObject"),
    ("get", "/api/v1/rectifications", "listRectifications", "ratings", "Rectification tasks from bad ratings", True, None, 200, "AnyObject"),
    ("post", "/api/v1/rectifications/{id}/close", "closeRectification", "ratings", "Close a rectification with the callback note", True, "AnyObject", 200, "AnyObject"),
    ("post", "/api/v1/files", "uploadFile", "files", "Upload a material file (raw body; PDF, JPEG, PNG or OFD)", True, None, 201, "FileRef"),
    ("get", "/api/v1/files/{sha256}", "downloadFile", "files", "Download a material file", True, None, 200, None),
    ("get", "/api/v1/supervision/certificate-reuse", "certificateReuse", "supervision", "Per item, the share of materials satisfied by certificates (免提交)", True, None, 200, "CertificateReuse"),
    ("get", "/api/v1/cockpit/summary", "cockpitSummary", "supervision", "领导驾驶舱 KPIs (supervisor, admin); query days=7..90 (default 30)", True, None, 200, "CockpitSummary"),
    ("get", "/api/v1/certificate-types", "listCertificateTypes", "certificates", "Certificate types (证照类型)", False, None, 200, "AnyObject"),
    ("put", "/api/v1/certificate-types/{code}", "putCertificateType", "certificates", "Define or change a certificate type (admin)", True, "CertificateType", 200, "CertificateType"),
    ("post", "/api/v1/certificates", "issueCertificate", "certificates", "Issue a certificate (approver of the issuing department)", True, "NewCertificate", 201, "Certificate"),
    ("post", "/api/v1/certificates/import", "importCertificates", "certificates", "Bulk import historical certificates from CSV; all rows or none", True, None, 201, "ImportReport"),
    ("get", "/api/v1/certificates/{identifier}", "useCertificate", "certificates", "用证: an annotated copy (加注件) for a stated use_cause (officials); the holder's own certificate", True, None, 200, "Certificate"),
    ("post", "/api/v1/certificates/{identifier}/status", "changeCertificateStatus", "certificates", "Suspend, reinstate or revoke (issuing department)", True, "StatusChange", 200, "Certificate"),
    ("get", "/api/v1/certificates/{identifier}/verification", "verifyCertificatePublic", "certificates", "Public validity of a certificate (the QR code's target); no holder data", False, None, 200, "AnyObject"),
    ("get", "/api/v1/certificates/{identifier}/pdf", "certificatePdf", "certificates", "Printable PDF with a verification QR code", True, None, 200, None),
    ("get", "/api/v1/wallet/matches", "walletMatches", "certificates", "免提交: for an item (item_code), the caller's valid certificates that satisfy each of its materials", True, None, 200, "AnyObject"),
    ("get", "/api/v1/wallet/certificates", "listWallet", "certificates", "The caller's certificates, each with its SD-JWT VC", True, None, 200, "AnyObject"),
    ("post", "/api/v1/wallet/certificates/{identifier}/presentations", "presentCertificate", "certificates", "Disclose chosen claims to a named verifier for a stated purpose (consent recorded)", True, "PresentationRequest", 201, "Presentation"),
    ("post", "/api/v1/presentations/verify", "verifyPresentation", "certificates", "Verify a presentation: signature, disclosures, status, validity", False, "VerifyRequest", 200, "Verification"),
    ("get", "/api/v1/status-lists/{id}", "getStatusList", "certificates", "IETF Token Status List (application/statuslist+jwt)", False, None, 200, None),
    ("get", "/.well-known/jwt-vc-issuer", "issuerMetadataAll", "certificates", "SD-JWT VC issuer metadata of every department", False, None, 200, "AnyObject"),
    ("get", "/.well-known/jwt-vc-issuer/issuers/{dept}", "issuerMetadata", "certificates", "SD-JWT VC issuer metadata with JWKS of one department", False, None, 200, "AnyObject"),
    ("get", "/ledger/checkpoint", "getCheckpoint", "ledger", "Latest signed checkpoint (C2SP tlog-checkpoint signed note, text/plain) with witness cosignatures", False, None, 200, None),
    ("get", "/ledger/tile/{path...}", "getTile", "ledger", "C2SP tlog-tiles: tile/<L>/<N>[.p/<W>] hash tiles and tile/entries/<N>[.p/<W>] entry bundles (the rest of the path)", False, None, 200, None),
    ("get", "/api/v1/ledger/key", "getLedgerKey", "ledger", "The log's signed-note verifier key and origin", False, None, 200, "LedgerKey"),
    ("get", "/api/v1/ledger/entries/{index}", "getLedgerEntry", "ledger", "One logged entry", False, None, 200, "LedgerEntry"),
    ("get", "/api/v1/ledger/proof/inclusion", "getInclusionProof", "ledger", "Inclusion proof (index, size)", False, None, 200, "InclusionProof"),
    ("get", "/api/v1/ledger/proof/consistency", "getConsistencyProof", "ledger", "Consistency proof (old, new)", False, None, 200, "ConsistencyProof"),
    ("get", "/api/v1/ledger/acts", "listLedgerActs", "ledger", "Logged acts about one subject (subject_type, subject_id): for public verification", False, None, 200, "LedgerActs"),
    ("post", "/api/v1/ledger/cosignatures", "addCosignature", "ledger", "A witness returns the checkpoint with its cosignature/v1 line (text/plain)", False, None, 204, None),
    ("get", "/api/v1/ledger/receipts/{subject_type}/{subject_id}", "getReceipt", "ledger", "回执: the acts with ledger index and leaf hash, and the salt that opens the party commitment", True, None, 200, "Receipt"),
    ("get", "/verify", "verifyPage", "ledger", "公开核验: public verification web page (HTML)", False, None, 200, None),
    ("get", "/verify/app.js", "verifyPageScript", "ledger", "Script of the verification page", False, None, 200, None),
    ("get", "/wallet", "walletPage", "certificates", "我的电子证照: the holder's wallet web page (HTML)", False, None, 200, None),
    ("get", "/wallet/app.js", "walletPageScript", "certificates", "Script of the wallet page", False, None, 200, None),
    ("get", "/verify/certificates/{identifier}", "certificatePage", "certificates", "The page a certificate's QR code opens (HTML)", False, None, 200, None),
    ("get", "/verify/certificate.js", "certificatePageScript", "certificates", "Script of the certificate page", False, None, 200, None),
    ("post", "/api/v1/assistant/ask", "askAssistant", "assistant", "Ask the Q&A assistant (answers with sources; handoff when unsure)", False, "AskRequest", 200, "Answer"),
    ("post", "/api/v1/assistant/recommend", "recommendItems", "assistant", "Items a life event or question needs, in order (一件事一次办)", False, "RecommendRequest", 200, "Recommendation"),
    ("get", "/api/v1/assistant/life-events", "listLifeEvents", "assistant", "Life-event bundles", False, None, 200, "LifeEvents"),
    ("post", "/api/v1/assistant/feedback", "giveAssistantFeedback", "assistant", "有用/没用 feedback on an answer (login optional)", False, "FeedbackRequest", 201, "FeedbackCreated"),
    ("get", "/api/v1/assistant/documents", "listKbDocuments", "assistant", "Knowledge-base policy documents (admins)", True, None, 200, "KbDocuments"),
    ("post", "/api/v1/assistant/documents", "addKbDocument", "assistant", "Add a policy document: text, Markdown, HTML or PDF (admins)", True, "KbDocumentRequest", 201, "KbDocument"),
    ("get", "/api/v1/assistant/documents/{id}", "getKbDocument", "assistant", "A document with its passages (admins)", True, None, 200, "KbDocument"),
    ("put", "/api/v1/assistant/documents/{id}", "replaceKbDocument", "assistant", "Replace a document (admins)", True, "KbDocumentRequest", 200, "KbDocument"),
    ("delete", "/api/v1/assistant/documents/{id}", "removeKbDocument", "assistant", "Remove a document (admins)", True, None, 204, None),
    ("post", "/api/v1/appeals", "submitAppeal", "appeals", "Submit an appeal (诉求: consult, help, complaint, report, suggestion); a hotline clerk enters a phone call with `caller`. A repeat of an open appeal merges into it (200)", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/appeals", "listAppeals", "appeals", "Appeals visible to the caller (state, type, dept)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/appeals/rollup", "appealRollup", "appeals", "Per department: open, overdue, replied on time (hotline staff, supervisors)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/appeals/limits", "appealLimits", "appeals", "Working-day limits per appeal type", True, None, 200, "AnyObject"),
    ("put", "/api/v1/appeals/limits/{type}", "setAppealLimit", "appeals", "Change the limit of one appeal type (admin)", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/appeals/{id}", "getAppeal", "appeals", "An appeal with its history (the caller's identity hidden from the department when confidential; officials reading get each acting official's name in actor_name, else null)", True, None, 200, "AnyObject"),
    ("post", "/api/v1/appeals/{id}/actions", "actOnAppeal", "appeals", "dispatch, return (once), arbitrate, receive, reply, supervise, close, callback, rate. A reply is checked first: a weak one is refused (422, code weak_reply, with reply_check) unless confirm_weak is true", True, "AnyObject", 200, "AnyObject"),
    ("post", "/api/v1/appeals/{id}/reply-check", "checkAppealReply", "appeals", "Score a draft reply for relevance, completeness and timeliness, with the reasons (handling department, hotline)", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/appeals/hot-issues", "appealHotIssues", "appeals", "热点问题: appeals about the same problem in the same place within ?days, with heat (people, likes, repeats, span, recency) and a representative title (hotline staff, supervisors, admins)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/appeals/hot-issues.csv", "appealHotIssuesCsv", "appeals", "The hot issues as CSV (UTF-8 with BOM)", True, None, 200, None),
    ("get", "/api/v1/appeals/board", "appealBoard", "appeals", "Public board: answered appeals whose appellants consented, personal data removed (privacy/redact.h: placeholders such as [电话]; a text it cannot make safe reads \"内容待审核后公开 / withheld pending review\"), and every department's on-time answer rate", False, None, 200, "AnyObject"),
    ("post", "/api/v1/consultations", "createConsultation", "participation", "意见征集: a draft policy with clauses and a deadline (officials of the department, admins)", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/consultations", "listConsultations", "participation", "Published consultations (officials also see their department's drafts)", False, None, 200, "AnyObject"),
    ("get", "/api/v1/consultations/{id}", "getConsultation", "participation", "A consultation with its clauses, comment counts and, once concluded, the feedback", False, None, 200, "AnyObject"),
    ("post", "/api/v1/consultations/{id}/publish", "publishConsultation", "participation", "Open a draft for comments until its deadline", True, None, 200, "AnyObject"),
    ("post", "/api/v1/consultations/{id}/comments", "commentOnConsultation", "participation", "A clause-level comment by a citizen or business while open", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/consultations/{id}/comments", "listConsultationComments", "participation", "Comments (public once concluded, with adopted or not and why; names masked, personal data in others' comments removed)", False, None, 200, "AnyObject"),
    ("post", "/api/v1/consultations/{id}/comments/{comment_id}/decision", "decideConsultationComment", "participation", "Adopt or not, with the reason (the department, after the deadline)", True, "AnyObject", 200, "AnyObject"),
    ("post", "/api/v1/consultations/{id}/conclude", "concludeConsultation", "participation", "Publish the feedback once every comment is decided (a government act in the ledger)", True, "AnyObject", 200, "AnyObject"),
    ("post", "/api/v1/surveys", "createSurvey", "participation", "在线调查: a questionnaire with single, multiple, scale and text questions", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/surveys", "listSurveys", "participation", "Published surveys", False, None, 200, "AnyObject"),
    ("get", "/api/v1/surveys/{id}", "getSurvey", "participation", "A survey with its questions (and whether the caller responded)", False, None, 200, "AnyObject"),
    ("post", "/api/v1/surveys/{id}/publish", "publishSurvey", "participation", "Open a survey for responses", True, None, 200, "AnyObject"),
    ("post", "/api/v1/surveys/{id}/responses", "respondToSurvey", "participation", "One response per verified identity, checked against the questions", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/surveys/{id}/results", "surveyResults", "participation", "Live results: counts, histograms, means, anonymised text samples", False, None, 200, "AnyObject"),
    ("post", "/api/v1/grid/cells/import", "importGridCells", "grid", "Import unit grid cells (单元网格) from a GeoJSON FeatureCollection, all or none; 15-digit codes (admin)", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/grid/cells", "listGridCells", "grid", "Grid cells as a GeoJSON FeatureCollection (polygons with code, street, community, supervisors); ?street= filters", True, None, 200, "AnyObject"),
    ("get", "/api/v1/grid/cells/{code}", "getGridCell", "grid", "One grid cell", True, None, 200, "AnyObject"),
    ("get", "/api/v1/grid/lookup", "lookupGridCell", "grid", "The cell, community and street of a point (?lon&lat); 400 outside the district", True, None, 200, "AnyObject"),
    ("get", "/api/v1/grid/components", "listGridComponents", "grid", "Components (部件) inventory", True, None, 200, "AnyObject"),
    ("post", "/api/v1/grid/components", "saveGridComponent", "grid", "Add or update a component: 16-digit code, type, owner department, location (admin)", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/grid/components/nearest", "nearestGridComponent", "grid", "The nearest component to a point (?lon&lat[&max_m][&class]), with its distance", True, None, 200, "AnyObject"),
    ("get", "/api/v1/grid/components/{code}", "getGridComponent", "grid", "One component", True, None, 200, "AnyObject"),
    ("get", "/api/v1/grid/classes", "listGridClasses", "grid", "Event and component classes with default department and step limits in working minutes", True, None, 200, "AnyObject"),
    ("put", "/api/v1/grid/classes/{kind}/{code}", "saveGridClass", "grid", "Edit a class: name, default department, limits (admin)", True, "AnyObject", 200, "AnyObject"),
    ("post", "/api/v1/grid/events", "reportGridEvent", "grid", "信息采集: a supervisor's or citizen's report with class, location, photos", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/grid/events", "listGridEvents", "grid", "Grid events in scope (filters state, cell, street, dept, class, alert, source, from and to as YYYY-MM-DD with to inclusive)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/grid/events/{id}", "getGridEvent", "grid", "A grid event with its steps and working-hours clock; each step's actor_name is the acting official's name for officials reading, else null", True, None, 200, "AnyObject"),
    ("post", "/api/v1/grid/events/{id}/actions", "actOnGridEvent", "grid", "The 7-step loop: accept, reject, register, dispatch, send_back, feedback, check (pass or 返工), close, evaluate", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/grid/indicators", "gridIndicators", "grid", "按时立案率, 准确派遣率, 按期处置率, 结案率, 按期结案率, 返工数, 超期数, 平均处置时长 per department, street or cell, ranked against the 95 % goal", True, None, 200, "AnyObject"),
    ("get", "/api/v1/iot/sensors", "listSensors", "iot", "Sensor inventory (manhole-cover tilt, water level, smoke, parking camera) with last seen and online/offline", True, None, 200, "AnyObject"),
    ("post", "/api/v1/iot/sensors", "createSensor", "iot", "Register a sensor inside the district (admins, grid centre)", True, "AnyObject", 201, "AnyObject"),
    ("get", "/api/v1/iot/sensors/{id}", "getSensor", "iot", "One sensor", True, None, 200, "AnyObject"),
    ("put", "/api/v1/iot/sensors/{id}", "updateSensor", "iot", "Update a sensor", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/iot/rules", "listSensorRules", "iot", "Alarm rules per sensor kind: threshold, grid class, de-duplication window, flapping suppression", True, None, 200, "AnyObject"),
    ("put", "/api/v1/iot/rules/{kind}", "saveSensorRule", "iot", "Edit the rule of a sensor kind (admins)", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/iot/alarms", "listSensorAlarms", "iot", "Alarms received over MQTT, each with the grid event it created (or why not)", True, None, 200, "AnyObject"),
    ("get", "/api/v1/iot/status", "sensorStatus", "iot", "Online and offline counts, broker connection, message counters", True, None, 200, "AnyObject"),
    ("get", "/open311/v2/discovery.json", "open311Discovery", "open311", "Open311 GeoReport v2 discovery (JSON)", False, None, 200, None),
    ("get", "/open311/v2/discovery.xml", "open311DiscoveryXml", "open311", "Open311 GeoReport v2 discovery (XML)", False, None, 200, None),
    ("get", "/open311/v2/services.json", "open311Services", "open311", "Service list: one service per grid event class (JSON)", False, None, 200, None),
    ("get", "/open311/v2/services.xml", "open311ServicesXml", "open311", "Service list (XML)", False, None, 200, None),
    ("get", "/open311/v2/services/{file}", "open311Service", "open311", "Service definition: {code}.json or {code}.xml", False, None, 200, None),
    ("post", "/open311/v2/requests.json", "open311CreateRequest", "open311", "Submit a service request (api_key; form-encoded or JSON): it becomes a grid event; returns service_request_id and token", False, None, 201, None),
    ("post", "/open311/v2/requests.xml", "open311CreateRequestXml", "open311", "Submit a service request, XML reply", False, None, 201, None),
    ("get", "/open311/v2/requests.json", "open311Requests", "open311", "Requests (service_request_id, service_code, start_date, end_date, status); status_notes follow the 7-step loop", False, None, 200, None),
    ("get", "/open311/v2/requests.xml", "open311RequestsXml", "open311", "Requests (XML)", False, None, 200, None),
    ("get", "/open311/v2/requests/{file}", "open311Request", "open311", "One request: {id}.json or {id}.xml", False, None, 200, None),
    ("get", "/open311/v2/tokens/{file}", "open311Token", "open311", "The service_request_id of a token: {token}.json or {token}.xml", False, None, 200, None),
    ("post", "/api/v1/ai/classify", "classifyAppeal", "ai", "Classify an appeal text: {label, confidence, department, model_version, needs_human} (fastText)", True, "AnyObject", 200, "AnyObject"),
    ("get", "/api/v1/ai/models", "listAiModels", "ai", "Classifier model versions with their cross-validation metrics (staff)", True, None, 200, "AnyObject"),
    ("post", "/api/v1/ai/models/{version}/activate", "activateAiModel", "ai", "Serve another model version, without restart (admin)", True, None, 200, "AnyObject"),
    ("post", "/api/v1/ai/corrections", "correctAiLabel", "ai", "A dispatcher's correction of a label, used by the next training (hotline staff, admin)", True, "AnyObject", 201, "AnyObject"),
    ("post", "/api/v1/ai/reply-check", "checkReply", "ai", "Score a reply to an appeal before it is published: {score, issues[]} (staff)", True, "AnyObject", 200, "AnyObject"),
    # Security (#16): second factor, password change, deactivation, identity verification, data-use record.
    ("post", "/api/v1/me/second-factor", "startSecondFactor", "identity", "Start adding a second factor (a new TOTP secret, pending until confirmed)", True, "PasswordBody", 201, "SecondFactor"),
    ("delete", "/api/v1/me/second-factor", "removeSecondFactor", "identity", "Remove the caller's second factor (citizens and businesses; officials must keep one)", True, "PasswordTotpBody", 204, None),
    ("post", "/api/v1/me/second-factor/confirm", "confirmSecondFactor", "identity", "Confirm the pending second factor with a code from it; returns one-time recovery codes", True, "TotpBody", 200, "SecondFactor"),
    ("post", "/api/v1/users/{id}/second-factor", "resetSecondFactor", "identity", "Issue a new second factor to another account (security administrators; not to oneself)", True, None, 201, "SecondFactor"),
    ("post", "/api/v1/me/verification", "startVerification", "identity", "Verify one's identity online: a code to the phone the population registry holds for one's id number and name", True, None, 202, "VerificationSent"),
    ("post", "/api/v1/me/verification/confirm", "confirmVerification", "identity", "Confirm online verification with the code (5 minutes, 5 tries)", True, "CodeBody", 200, "User"),
    ("post", "/api/v1/users/{id}/verification", "verifyInPerson", "identity", "Verify an account's id number in person (window clerks, after checking the identity card)", True, "VerifyInPersonBody", 200, "User"),
    ("get", "/api/v1/wallet/uses", "walletUses", "certificates", "The holder's data-use record: which department used which of their certificates, why and in what matter", True, None, 200, "CertificateUses"),
    ("post", "/api/v1/auth/password", "changePassword", "identity", "Change one's password with the full sign-in credentials (also when it has expired); every session of the account ends", False, "PasswordChange", 204, None),
    ("put", "/api/v1/users/{id}/active", "setUserActive", "identity", "Deactivate or reactivate an account (security administrators; not one's own); deactivation ends its sessions", True, "ActiveBody", 200, "AnyObject"),
    # Publication review (#16, item 5): what the redaction holds waits for the owning department.
    ("get", "/api/v1/disclosure/reviews", "listDisclosureReviews", "disclosure", "The caller's department's publication reviews in one state, oldest held first (clerks, reviewers, approvers)", True, None, 200, "DisclosureReviews"),
    ("post", "/api/v1/disclosure/reviews/{id}/decision", "decideDisclosureReview", "disclosure", "Publish an edited text, or keep it withheld with a reason", True, "DisclosureDecision", 200, "DisclosureReview"),
]


# Details the route table cannot say: an operation's description and its query parameters.
DESCRIPTIONS = {'post /api/v1/disclosure/reviews/{id}/decision':
                    'Recorded as disclosure.published or disclosure.withheld (who, when, why). The '
                    'published text passes through the redaction once more; a later decision may '
                    'reverse an earlier one. 404 for a review of another department (before the '
                    'body is read), 409 when `revision` is stale.',
                'get /api/v1/audit/integrity': 'Walks the whole trail and its hash chain (docs/audit.md): '
                                               'verified, or the first event (broken_at) that no longer '
                                               'matches. Also run at every start; a broken chain is '
                                               'recorded as audit.chain_broken.',
                'get /api/v1/audit/export': 'One JSON object per line: the raw fields of each sealed event '
                                            'with its prev and chain hashes, so that an outside auditor '
                                            'recomputes the chain with SHA-256 alone (docs/audit.md). The '
                                            'export itself is recorded as audit.exported.',
                'post /api/v1/auth/login': 'Failed sign-ins slow further attempts down instead of locking the '
                            'account: per account and address, per account (not for addresses it '
                            'signed in from before, nor with a valid second factor) and per '
                            'address, each after a few free failures, with waits that double up to '
                            '15 minutes. An attempt that comes too early is 429 with Retry-After '
                            'and is not checked; the right password after that wait signs in. '
                            'Problem types for a right password: mfa-required (no code given), '
                            'mfa-invalid (wrong, used or expired code), mfa-not-enrolled (an '
                            'official without a factor: an administrator issues one).',
 'get /api/v1/cases': "Officials' lists mask personal data (disclosure `masked` or `supervision`, "
                      'see Case).',
 'get /api/v1/cases/{id}': 'The applicant and the officials handling the case read it in full; '
                           'supervisors, admins and others read the `supervision` disclosure (see '
                           'Case).',
 'get /api/v1/files/{sha256}': 'The uploader, and those who may read a case naming the file in '
                               'full (its applicant, officials handling it), may download it; '
                               'supervisors and admins may not (404).',
 'post /api/v1/me/verification': '409 when already verified, when no SMS sender is configured or '
                                 'when the registry has no match (one answer: no probing); 429 '
                                 'with Retry-After for a new code within a minute or over five a '
                                 'day.',
 'post /api/v1/auth/password': "Throttled like sign-in; officials give their TOTP code. Officials' "
                               'passwords expire after 90 days: sign-in then answers 401 with '
                               'problem type …:password-expired.'}

def _q(name, schema, required=False, description=None):
    p = {'name': name, 'in': 'query', 'schema': schema}
    if required:
        p['required'] = True
    if description:
        p['description'] = description
    return p


_COUNT = {'type': 'integer', 'minimum': 0}
_DATE = {'type': 'string', 'format': 'date'}
_LON = {'type': 'number', 'minimum': -180, 'maximum': 180}
_LAT = {'type': 'number', 'minimum': -90, 'maximum': 90}
_SUBJECT = {'type': 'string', 'minLength': 1, 'maxLength': 200}

QUERY_PARAMETERS = {'get /api/v1/grid/indicators': [
                        _q('by', {'type': 'string', 'enum': ['dept', 'street', 'cell'], 'default': 'dept'}),
                        _q('from', _DATE, True, 'First day (Beijing time) of the events reported'),
                        _q('to', _DATE, True, 'Last day (Beijing time), inclusive')],
                    'get /api/v1/grid/lookup': [
                        _q('lon', _LON, True, 'Longitude, in the coordinates the cells were imported in'),
                        _q('lat', _LAT, True)],
                    'get /api/v1/grid/components/nearest': [
                        _q('lon', _LON, True), _q('lat', _LAT, True),
                        _q('max_m', {'type': 'number', 'minimum': 0, 'default': 100},
                           description='Search radius in metres'),
                        _q('class', S, description='Only components of this class code')],
                    'get /api/v1/wallet/matches': [
                        _q('item_code', S, True, 'The service item the holder is applying for')],
                    'get /api/v1/ledger/proof/inclusion': [
                        _q('index', _COUNT, True, 'Leaf index'),
                        _q('size', _COUNT, True, 'Tree size of the checkpoint the proof is for')],
                    'get /api/v1/ledger/proof/consistency': [
                        _q('old', _COUNT, True, 'The smaller tree size'),
                        _q('new', _COUNT, True, 'The larger tree size')],
                    'get /api/v1/ledger/acts': [
                        _q('subject_type', _SUBJECT, True, 'case, certificate, appeal, …'),
                        _q('subject_id', _SUBJECT, True)],
                    'get /api/v1/disclosure/reviews': [
                        {'name': 'state', 'in': 'query',
                         'schema': {'type': 'string', 'enum': ['pending', 'published', 'withheld'],
                                    'default': 'pending'}},
                        {'name': 'limit', 'in': 'query',
                         'schema': {'type': 'integer', 'minimum': 1, 'maximum': 200, 'default': 50}},
                        {'name': 'offset', 'in': 'query',
                         'schema': {'type': 'integer', 'minimum': 0, 'default': 0}}],
                    'get /api/v1/certificates/{identifier}': [{'name': 'use_cause',
                                            'in': 'query',
                                            'required': False,
                                            'schema': {'type': 'string'},
                                            'description': 'Officials: the use cause (用证事由), '
                                                           'required; the copy returned is '
                                                           'annotated with it.'},
                                           {'name': 'matter',
                                            'in': 'query',
                                            'required': False,
                                            'schema': {'type': 'string'},
                                            'description': 'Officials: the matter of their '
                                                           'department the certificate is used in, '
                                                           'case:<case id>, concerning the holder '
                                                           '(required except for supervisors, '
                                                           'whose reads are marked for review). '
                                                           'The holder is told in their inbox.'}],
                    'get /api/v1/audit/export': [
                        {'name': 'from', 'in': 'query', 'required': True,
                         'schema': {'type': 'string', 'format': 'date'},
                         'description': 'First day, Beijing time (YYYY-MM-DD).'},
                        {'name': 'to', 'in': 'query', 'required': True,
                         'schema': {'type': 'string', 'format': 'date'},
                         'description': 'Last day, Beijing time, inclusive; at most 366 days.'}]}

# Schemas defined or extended since the table above (security, #16; masking of case documents).
SCHEMAS.update({'LoginRequest': {'type': 'object',
                  'properties': {'username': {'type': 'string'},
                                 'password': {'type': 'string'},
                                 'totp': {'type': 'string',
                                          'pattern': '^[0-9]{6}$',
                                          'description': "The current code of the account's second "
                                                         'factor (RFC 6238 TOTP: SHA-1, 30 s, 6 '
                                                         'digits). Required for officials and for '
                                                         'accounts that enabled one; without it '
                                                         'the answer is 401 with problem type '
                                                         'urn:yiwang:problem:mfa-required. A code '
                                                         'signs in once.'},
                                 'recovery_code': {'type': 'string',
                                                   'description': "One of the account's one-time "
                                                                  'recovery codes, in place of '
                                                                  'totp.'}},
                  'additionalProperties': False,
                  'required': ['username', 'password']},
 'User': {'type': 'object',
          'properties': {'id': {'type': 'string'},
                         'username': {'type': 'string'},
                         'kind': {'type': 'string'},
                         'display_name': {'type': 'string'},
                         'roles': {'type': 'array', 'items': {'type': 'string'}},
                         'dept_id': {'type': 'string'},
                         'division_code': {'type': 'string'},
                         'id_number_masked': {'type': 'string'},
                         'second_factor': {'description': 'GET /me: whether the account has an '
                                                          'active second factor (boolean). POST '
                                                          '/users: the second factor issued to a '
                                                          'new official (SecondFactor), shown '
                                                          'once.',
                                           'oneOf': [{'type': 'boolean'},
                                                     {'$ref': '#/components/schemas/SecondFactor'}]},
                         'assurance': {'enum': ['claimed', 'verified', 'in_person'],
                                       'description': 'How sure the platform is that the holder is '
                                                      'the person the id number names: claimed '
                                                      '(self-registered), verified (population '
                                                      'registry + one-time code), in_person (a '
                                                      'window clerk checked the card). '
                                                      'Certificates, 免提交 and 秒批 bind only from '
                                                      'verified up.'},
                         'active': {'type': 'boolean',
                                    'description': 'false: deactivated (cannot sign in)'}},
          'additionalProperties': True,
          'required': ['id', 'username', 'kind']},
 'Case': {'type': 'object',
          'properties': {'id': {'type': 'string', 'description': '办件编号 (申报号)'},
                         'item_code': {'type': 'string'},
                         'item_version': {'type': 'integer'},
                         'item_name': {'type': 'string'},
                         'dept_id': {'type': 'string'},
                         'case_type': {'type': 'string'},
                         'state': {'enum': ['submitted',
                                            'correction',
                                            'in_review',
                                            'suspended',
                                            'not_accepted',
                                            'granted',
                                            'denied',
                                            'completed',
                                            'withdrawn']},
                         'applicant': {'type': 'object',
                                       'description': 'kind, name, id_number, division_code; on a '
                                                      'single read also user_id and phone. masked: '
                                                      'id_number masked (first 6 and last 4 '
                                                      'characters), no user_id or phone. '
                                                      'supervision: name reduced to the surname '
                                                      'and "*", id_number masked, phone masked '
                                                      '(first 3 and last 4 digits) on a single '
                                                      'read, no user_id.'},
                         'channel': {'enum': ['online', 'window']},
                         'steps': {'type': 'array', 'items': {'$ref': '#/components/schemas/Step'}},
                         'current_step': {'type': 'integer'},
                         'decision': {'type': 'string'},
                         'decision_opinion': {'type': 'string'},
                         'instant_rule': {'type': 'string'},
                         'clock': {'oneOf': [{'$ref': '#/components/schemas/Clock'},
                                             {'type': 'null'}]},
                         'form': {'type': 'object',
                                  'description': 'The application form. masked: identity numbers '
                                                 'and phones masked, addresses cut to the district '
                                                 '(…区/县/旗, else …市). supervision: only identity '
                                                 'numbers and phones (masked), addresses '
                                                 '(district) and enumerated, numeric and boolean '
                                                 'values; free text and dates are absent.'},
                         'revision': {'type': 'integer'},
                         'materials': {'type': 'array',
                                       'description': 'Each {name, sha256, certificate_id?, '
                                                      'verification?}; verification only on single '
                                                      'reads. supervision: no sha256 (and no '
                                                      'download of the file), certificate_id '
                                                      'masked, verification only its checks '
                                                      '(type_name, signature_ok, status_ok, '
                                                      'validity_ok, holder_ok, verified_at).',
                                       'items': {'type': 'object'}},
                         'disclosure': {'enum': ['full', 'masked', 'supervision'],
                                        'description': 'How much personal data this copy carries '
                                                       "(see the schema's description)."}},
          'additionalProperties': True,
          'required': ['id', 'state'],
          'description': 'A case as its reader may see it (minimum necessary personal data, '
                         '`disclosure`). The applicant reads their own cases in full, lists '
                         'included; officials of a department the case is routed to (clerk, '
                         'reviewer, approver) or the clerk who filed it read one case in full and '
                         'lists `masked`; supervisors, admins and anyone else read `supervision` '
                         'copies in single reads and lists alike. Values a disclosure withholds '
                         'are absent.'},
 'SecondFactor': {'type': 'object',
                  'description': 'A second factor as handed to its owner, once. recovery_codes '
                                 'only once confirmed (or when issued by an administrator).',
                  'properties': {'method': {'const': 'totp'},
                                 'secret': {'type': 'string', 'description': 'base32'},
                                 'otpauth_uri': {'type': 'string'},
                                 'algorithm': {'const': 'SHA1'},
                                 'digits': {'const': 6},
                                 'period': {'const': 30},
                                 'recovery_codes': {'type': 'array', 'items': {'type': 'string'}}},
                  'required': ['method', 'secret', 'otpauth_uri'],
                  'additionalProperties': False},
 'PasswordBody': {'type': 'object',
                  'properties': {'password': {'type': 'string'}},
                  'required': ['password'],
                  'additionalProperties': False},
 'TotpBody': {'type': 'object',
              'properties': {'totp': {'type': 'string'}},
              'required': ['totp'],
              'additionalProperties': False},
 'PasswordTotpBody': {'type': 'object',
                      'properties': {'password': {'type': 'string'}, 'totp': {'type': 'string'}},
                      'required': ['password', 'totp'],
                      'additionalProperties': False},
 'VerificationSent': {'type': 'object',
                      'properties': {'channel': {'const': 'sms'},
                                     'sent_to': {'type': 'string',
                                                 'description': "the registry's phone, masked"}},
                      'required': ['channel', 'sent_to'],
                      'additionalProperties': False},
 'CodeBody': {'type': 'object',
              'properties': {'code': {'type': 'string'}},
              'required': ['code'],
              'additionalProperties': False},
 'VerifyInPersonBody': {'type': 'object',
                        'properties': {'method': {'const': 'in_person'}},
                        'required': ['method'],
                        'additionalProperties': False},
 'CertificateUses': {'type': 'object',
                     'properties': {'uses': {'type': 'array',
                                             'items': {'type': 'object',
                                                       'properties': {'identifier': {'type': 'string'},
                                                                      'type_name': {'type': 'string'},
                                                                      'used_by_dept': {'type': 'string'},
                                                                      'use_cause': {'type': 'string'},
                                                                      'matter': {'type': 'string'},
                                                                      'supervisory': {'type': 'boolean'},
                                                                      'used_at': {'type': 'string',
                                                                                  'format': 'date-time'}},
                                                       'additionalProperties': False}}},
                     'required': ['uses'],
                     'additionalProperties': False},
 'PasswordChange': {'type': 'object',
                    'properties': {'username': {'type': 'string'},
                                   'password': {'type': 'string'},
                                   'new_password': {'type': 'string'},
                                   'totp': {'type': 'string'},
                                   'recovery_code': {'type': 'string'}},
                    'required': ['username', 'password', 'new_password'],
                    'additionalProperties': False},
 'AuditIntegrity': {'type': 'object',
                    'properties': {'verified': {'type': 'boolean'},
                                   'events': {'type': 'integer'},
                                   'sealed_through': {'type': 'integer'},
                                   'unsealed': {'type': 'integer'},
                                   'head': {'type': 'string'},
                                   'broken_at': {'type': ['integer', 'null']},
                                   'problem': {'type': 'string'},
                                   'checked_at': {'type': 'string', 'format': 'date-time'},
                                   'retention_days': {'type': 'integer'},
                                   'oldest_at': {'type': ['string', 'null'], 'format': 'date-time'}},
                    'required': ['verified', 'events', 'sealed_through', 'head', 'checked_at'],
                    'additionalProperties': False},
 'ActiveBody': {'type': 'object',
                'properties': {'active': {'type': 'boolean'}},
                'required': ['active'],
                'additionalProperties': False}})

SURFACES = ['appeal.title', 'appeal.text', 'appeal.reply', 'grid_event.description', 'open311.address',
            'consultation_comment.text', 'consultation_comment.reason']
SCHEMAS['DisclosureReview'] = obj({
    'id': {'type': 'string', 'description': 'dr- and 24 hex digits'},
    'surface': {'type': 'string', 'enum': SURFACES,
                'description': 'Where the text is public: the appeals board, the Open311 requests '
                               "feed, a concluded consultation's comments."},
    'subject_id': {'type': 'string', 'description': 'The appeal, the grid event (Open311 '
                                                    'service_request_id) or the comment.'},
    'dept_id': {'type': 'string', 'description': 'The department whose officials review it.'},
    'state': {'type': 'string', 'enum': ['pending', 'published', 'withheld']},
    'draft': {'type': 'string', 'description': 'The held text as the redaction left it: what it '
                                               'classifies replaced, the rest for the official.'},
    'kinds': arr({'type': 'string', 'enum': ['name', 'email', 'plate', 'address', 'id_number',
                                             'phone', 'bank_card', 'unclassified_number',
                                             'spelled_number']}),
    'held_at': {'type': 'string', 'format': 'date-time'},
    'published_text': {'type': 'string', 'description': 'What public surfaces show once published; '
                                                        '"" otherwise.'},
    'reason': S,
    'decided_by': {'type': 'string', 'description': 'User id of the last deciding official; "" '
                                                    'while pending.'},
    'decided_by_name': {'type': 'string', 'description': 'That official\'s name; "" while '
                                                         'pending.'},
    'decided_at': {'type': ['string', 'null'], 'format': 'date-time'},
    'revision': {'type': 'integer', 'description': 'Moves with every decision and whenever the '
                                                   'held text changes (the review reopens).'},
}, required=['id', 'surface', 'subject_id', 'dept_id', 'state', 'draft', 'kinds', 'held_at',
             'published_text', 'reason', 'decided_by', 'decided_by_name', 'decided_at',
             'revision'])
SCHEMAS['DisclosureReviews'] = obj({'reviews': arr(ref('DisclosureReview')), 'total': I},
                                   required=['reviews', 'total'])
SCHEMAS['DisclosureDecision'] = obj({
    'decision': {'type': 'string', 'enum': ['publish', 'withhold']},
    'text': {'type': 'string', 'minLength': 1, 'maxLength': 5000,
             'description': 'publish: the edited text. Not with withhold.'},
    'reason': {'type': 'string', 'maxLength': 1000,
               'description': 'Required with withhold, optional with publish.'},
    'revision': {'type': 'integer', 'minimum': 0,
                 'description': 'The revision decided on: 409 when the review changed since.'},
}, required=['decision'])


# Operations whose body is not one JSON schema: CSV, a signed note, Open311's form or JSON.
OPEN311_REQUEST = obj({
    'api_key': {'type': 'string', 'description': 'The client key (also accepted in the query).'},
    'service_code': {'type': 'string', 'description': 'A grid event class (services.json).'},
    'lat': {'type': 'string', 'description': 'WGS-84 latitude, decimal'},
    'long': {'type': 'string', 'description': 'WGS-84 longitude, decimal'},
    'address_string': S, 'description': {'type': 'string', 'maxLength': 2000}, 'media_url': S,
    'email': S, 'first_name': S, 'last_name': S, 'phone': S, 'device_id': S, 'account_id': S,
}, required=['api_key', 'service_code'])
RAW_BODIES = {
    "/api/v1/certificates/import": {"required": True, "content": {"text/csv": {"schema": {
        "type": "string", "contentMediaType": "text/csv",
        "description": "A header row, then one certificate per row. Columns: type_code, number, "
                       "holder_name, holder_id, issue_date (required); identifier, "
                       "holder_id_type, valid_from, valid_to, item_code, data_json (optional). "
                       "All rows or none: one problem lists every error (field /rows/<n> or "
                       "/header/<column>)."}}}},
    "/api/v1/ledger/cosignatures": {"required": True, "content": {"text/plain": {"schema": {
        "type": "string", "contentMediaType": "text/plain",
        "description": "The latest checkpoint (C2SP tlog-checkpoint) with the witness's "
                       "cosignature/v1 signature line added."}}}},
    "/open311/v2/requests.json": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": OPEN311_REQUEST},
        "application/json": {"schema": OPEN311_REQUEST}}},
    "/open311/v2/requests.xml": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": OPEN311_REQUEST},
        "application/json": {"schema": OPEN311_REQUEST}}},
}


def operation(route):
    method, path, op_id, tag, summary, auth, request, status, response = route
    op = {"operationId": op_id, "summary": summary, "tags": [tag], "responses": {}}
    params = [{"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
              for part in path.split("/") if part.startswith("{")]
    params += QUERY_PARAMETERS.get(f"{method} {path}", [])
    if params:
        op["parameters"] = params
    if f"{method} {path}" in DESCRIPTIONS:
        op["description"] = DESCRIPTIONS[f"{method} {path}"]
    if auth:
        op["security"] = [{"bearer": []}]
    else:
        op["security"] = []
    if request:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": ref(request)}}}
    for body_path, body in RAW_BODIES.items():
        if path == body_path and method == "post":
            op["requestBody"] = body
    if path == "/api/v1/files" and method == "post":
        op["requestBody"] = {"required": True, "content": {
            t: {"schema": {"type": "string", "contentMediaType": t}}
            for t in ["application/pdf", "image/jpeg", "image/png", "application/ofd"]}}
    ok = {"description": "Success"}
    if response:
        ok["content"] = {"application/json": {"schema": ref(response)}}
    if path == "/api/v1/audit/export":
        ok["content"] = {"application/x-ndjson": {"schema": {"type": "string"}}}
    if path == "/api/v1/files/{sha256}":
        ok["content"] = {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}
    op["responses"][str(status)] = ok
    op["responses"]["default"] = PROBLEM
    return op


def build():
    paths = {}
    for route in ROUTES:
        paths.setdefault(route[1], {})[route[0]] = operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Yiwang (一网) platform API",
            "version": "0.1.0",
            "description": "One-network digital government: service catalog (GB/T 39046), cases with a "
                           "statutory working-day clock, 电子监察, 秒批 and 好差评; electronic certificates "
                           "(GB/T 36904 identifiers, SD-JWT VC, token status lists, 免提交); a transparency "
                           "ledger (RFC 6962, C2SP tlog-checkpoint and tlog-tiles). Errors are RFC 9457 "
                           "application/problem+json with a field path and Chinese and English messages.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": t} for t in ["platform", "identity", "catalog", "cases", "supervision",
                                       "calendar", "ratings", "files", "certificates", "ledger",
                                       "assistant", "appeals", "participation", "ai", "grid", "iot", "open311",
                                       "disclosure"]],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": {"Problem": {"description": "Problem details (RFC 9457)", "content": {
                "application/problem+json": {"schema": ref("Problem")}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Opaque session token from /api/v1/auth/login"}},
        },
    }


if __name__ == "__main__":
    out = pathlib.Path(__file__).with_name("openapi.json")
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
