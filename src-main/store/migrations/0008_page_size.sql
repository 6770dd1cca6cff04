-- Issue 15.4: entries per page of every paged read, per server. 389-ds applies its size limit per
-- page, so a smaller page reads whole what 1,000 cannot; Active Directory's MaxPageSize is 1,000.
ALTER TABLE servers ADD COLUMN page_size INTEGER NOT NULL DEFAULT 1000 CHECK (page_size BETWEEN 10 AND 5000);
