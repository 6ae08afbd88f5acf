-- When the region last heard from each hall (the region's clock), and how far the hall's clock was from
-- the region's then (the hall's clock minus the region's, seconds; network delay included).
ALTER TABLE halls ADD COLUMN last_received_at timestamptz;
ALTER TABLE halls ADD COLUMN clock_offset_s double precision NOT NULL DEFAULT 0;
