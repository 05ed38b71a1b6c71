-- The policy registry (政策清单, issue 15): policy documents attached to a chain — title, issuing body, document
-- number (文号), date of issue, web address or pasted text, summary. A deleted document is archived (the audit
-- trail keeps what it said).

CREATE TABLE policies (
    id              INTEGER PRIMARY KEY,
    chain_id        INTEGER NOT NULL REFERENCES chains(id),
    title           TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    document_number TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    url             TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX policies_chain ON policies(chain_id, issued_on);
