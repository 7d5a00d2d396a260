"""The sandbox: a fake of the ev.energy v2 API, for development and tests.

It behaves like the real API for what evadmin uses: users, tariffs and their prices, suppliers, EVSE
sites; chargers and vehicles with their logs (status, error, OCPP, command, location), connectivity,
state of charge, settings (PATCH), reconnect and disconnect; their makes, models and trims and the
compatibility checks; charging sessions and sub-sessions with their parts, boost, recalculation and
dispatcher logs; password reset, the webhook portal and onboarding links; OAuth client credentials,
Link pagination, problem+json errors and a rolling-hour rate limit. Everything beyond users, tariffs,
suppliers and sites is declared in collections/ (resources.py says how) and seeded in seeding/. It
is served by its own process on its own port, with its own SQLite database
(settings.DATABASES["sandbox"], EVADMIN_SANDBOX_DB):

    python manage.py runsandbox [--host 127.0.0.1] [--port 8001] [--seed-users N] [--seed S] [--quiet]
    python manage.py seedsandbox --users N [--seed S] [--reset | --if-empty]

The dev client (settings.EVADMIN_API_CLIENT_ID / _SECRET) always exists, with the scopes
user:read user:write tariff:read evse:read evse:write vehicle:read vehicle:write charging_session:read
charging_session:write site:read debug:read tariff:prices:read.

Control API (not part of ev.energy's API; no authentication; dev and tests only):

    GET  /_sandbox/faults     the current faults and run-time overrides
    POST /_sandbox/faults     JSON; only the keys given change:
         latency_ms           delay every /v2 answer by this many milliseconds
         error_rate           share (0..1) of /v2 requests answered with error_status
         error_status         status for error_rate (default 503), as problem+json
         force_429, retry_after   the next N /v2 requests answer 429 with Retry-After/RetryAfter
                                  of retry_after seconds (default 1)
         fail_next            [statuses]: the next requests answer these, in order; an entry may
                              be {"status": 400, "field_errors": {...}} to script a validation failure
         hang_next, hang_seconds  the next N /v2 requests sleep hang_seconds before answering
         token_lifetime       seconds, for tokens issued from now on
         rate_limit_per_hour  the rolling-hour limit for clients without their own
         revoke_all_tokens    true: every issued token stops working
       Odd answers the published spec allows, each one a way evadmin once went wrong:
         paging               null, or how list answers page:
                                "repeat_next"    numbered pages: every next link says page=2,
                                                 as the spec's example does (a page past the end
                                                 serves the last); cursor pages: the next link
                                                 repeats the cursor just asked for
                                "ignore_paging"  the page or cursor asked for is ignored (the
                                                 first page again), while the links advance
                                "foreign_cursor" the next link's cursor is a vehicle id (as in
                                                 the spec's Link example)
         empty_lists          true: every list answers [] with no next page
         rate_limit_headers   null, or {"limit": "...", "remaining": "..."}: sent verbatim as
                              X-RateLimit-Limit / -Remaining (negative, fractional, huge...)
         overrides            [{"match": "<id or 4-letter prefix>", "set": {"dotted.path": value}}]:
                              every object in a /v2 answer (nested ones too) whose id matches
                              gets these values where the path's parent exists: a tariff or site
                              no list offers, nulls on nullable fields, stored coordinates out of
                              range. Writes still go to the real record; answers show the override.
    POST /_sandbox/reset      faults off, overrides back to settings, rate-limit window, request log
                              and webhook endpoints and deliveries cleared; {"data": true} also
                              re-seeds the data as first seeded
    POST /_sandbox/clients    {"client_id", "client_secret", "scopes": [...], "rate_limit_per_hour"?}
                              creates or updates an OAuth client
    GET  /_sandbox/requests   the /v2 and /o/ requests since the last reset, in arrival order:
                              [{method, path, query (raw), status, user_header, request_id
                                (X-Request-ID), authorization_present, version_header, body (POST/PATCH; client_secret masked), client_id,
                                at, duration_ms}]; a request is listed as soon as it arrives, with
                              status and duration_ms null until it is answered
    GET  /_sandbox/seed/defects   the ground truth of the seed: {audit rule name: [user ids]}
                              of the accounts each defect was planted on
    GET  /_sandbox/outbox     the emails the API would have sent since the data was seeded, oldest
                              first: [{at, to, template, ...}] (password_reset with reset_url, only
                              for an email that has an account; vehicle_onboarding_link with make
                              and onboarding_url)
    GET  /_sandbox/seed/cases     the support cases planted by the seed (seeding/cases.py):
                              {case name: {name, description, user_id, vehicle_id, evse_id, and the
                              case's own facts: session_id, sub_session_id, night, flags, ratings...}}
                              with the ids of the data as seeded (they carry the seeding's time)
    GET  /_sandbox/webhooks   the webhook endpoints, secrets included, and the delivery log (the
                              newest 500): [{message_id (svix-id), event_type, url, status
                              (pending, delivered, failed), attempts: [{at, status (null: no
                              answer), error, duration_ms}], payload}]
    POST /_sandbox/webhooks   {"url", "secret"?, "event_types"?, "retry_delays"?, "timeout"?}: adds
                              the endpoint, or replaces the one with this URL, and answers it.
                              secret: "whsec_<base64>", generated when absent; event_types: some of
                              charging_sub_session.created / .ended (default both); a failed
                              attempt (no answer in timeout seconds, default 5, or not 2xx) is
                              retried after each of retry_delays in turn (default [0.5, 1, 2])
    DELETE /_sandbox/webhooks[?url=...]   removes that endpoint, or every one
    POST /_sandbox/webhooks/trigger   {"event_type": "charging_sub_session.created" | ".ended",
                              "charging_sub_session": "<csub id>"}: sends that event for a stored
                              sub-session now (202 {"message_id"}; null when no endpoint wants it)

Webhooks are delivered as ev.energy's are, through Svix: a POST with `svix-id` (the message id,
the same on every retry), `svix-timestamp`, `svix-signature` (v1, HMAC-SHA256 with the secret;
fresh on every attempt) and `svix-event-type`, and the body {type, timestamp, data}, data being the
sub-session as GET /v2/charging_sub_sessions/{id} serves it. Code that creates or ends a
sub-session calls `webhooks.sub_session_event(record, event_type)`; delivery is off the request
thread and never fails the request (see webhooks.py).

Fault state, the rate-limit window, the request log and the webhook endpoints live in the
process (module state under a lock, see faults.py, ratelimit.py and webhooks.py); clients, tokens
and data live in the database.
Faults apply to /v2 only; answers forced by a fault don't use up the rate budget.
"""
