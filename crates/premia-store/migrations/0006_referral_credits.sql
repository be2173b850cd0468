-- Issue 10: a referral code (老客户转介绍) credits its referrer once per accepted referred application, up to
-- the series' max_uses in the catalogue. Each credit takes the next free use_number: the primary key makes
-- the limit hold with several replicas writing at once, as for vouchers.
CREATE TABLE referral_credits (
    catalogue_id       TEXT NOT NULL,
    series             TEXT NOT NULL,
    code_id            TEXT NOT NULL,
    use_number         BIGINT NOT NULL,
    referrer           TEXT NOT NULL,
    application_number TEXT NOT NULL REFERENCES applications (number),
    credited_at        BIGINT NOT NULL,
    PRIMARY KEY (catalogue_id, series, code_id, use_number)
);
CREATE INDEX referral_credits_by_referrer ON referral_credits (referrer, credited_at);
