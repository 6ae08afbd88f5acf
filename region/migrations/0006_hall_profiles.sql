-- What each hall tells citizens (its name, address, zones' opening hours, services), as its hub last
-- sent it: the 就近办 page lists the halls offering a service from these.
ALTER TABLE halls ADD COLUMN profile jsonb;
ALTER TABLE halls ADD COLUMN profile_at timestamptz;
