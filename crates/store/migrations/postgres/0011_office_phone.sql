-- A person's office phone, which everyone who sees the person may see (unlike their own phone and e-mail).
ALTER TABLE people ADD COLUMN office_phone TEXT NOT NULL DEFAULT '';
