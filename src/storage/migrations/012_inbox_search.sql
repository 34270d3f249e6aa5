-- Inbox search without accents (issue 10 item 11): staff type "tran van" for "Trần Văn". `unaccent` is an
-- extension PGlite does not ship, so the folded text is a generated column of core functions only (the
-- same on PGlite and PostgreSQL): NFD-decompose, drop the combining marks, đ → d, lower-case. The app
-- folds the query the same way (src/domain/inbox.ts foldForSearch).
ALTER TABLE customers ADD COLUMN search_text text GENERATED ALWAYS AS (
  lower(translate(regexp_replace(normalize(
    coalesce(name, '') || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || psid,
    NFD), E'[\u0300-\u036f]', '', 'g'), 'đĐ', 'dD'))
) STORED;
