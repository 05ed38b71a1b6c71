-- Whether an API token may create further tokens (a signed-in session always may; a token only when created so).
ALTER TABLE api_tokens ADD COLUMN may_create_tokens BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX api_tokens_account ON api_tokens(account_id);
