"""The catalogue through CKAN's Action API (`/api/3/action/<name>`), read-only, so that CKAN
harvesters and clients such as `ckanapi` read it unchanged.

Answers use CKAN's envelope: `{"help": <url>, "success": true, "result": ...}`, and on error
`{"help", "success": false, "error": {"__type": "Not Found Error" | "Validation Error" |
"Authorization Error", "message": ...}}` with CKAN's statuses (404, 409, 403). Datasets appear
in CKAN's field names (`name`, `title`, `notes`, `organization`, `tags`, `groups`, `resources`
...); what CKAN has no field for goes in `extras`. Themes are CKAN groups, the publisher is the
organization, keywords are tags, distributions are resources.

Access classes apply to every action through `services.visible`: a dataset the caller may not
see does not exist for them (404, and absent from lists and searches). A caller is who the
session or the `Authorization: Bearer` token says, or — as CKAN clients send it — a token in
`Authorization` (or `X-CKAN-API-Key`) without a scheme.

Search uses `services.search` (diacritic-insensitive, ranked); `fq` (Solr syntax, the subset
harvesters send: `field:value`, `field:"a b"`, `field:(a OR b)`, `-field:value`,
`metadata_modified:[2025-01-01T00:00:00Z TO *]`) is pushed to the service where it has the
filter and checked on the results; facets are counted over the results, as CKAN's Solr does
(the service's facets count each one ignoring its own filter, which is right for the portal but
not what a CKAN client expects).
"""
