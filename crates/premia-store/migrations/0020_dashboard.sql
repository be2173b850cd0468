-- The premium dashboard (保费数据看板): the facts of every application, written in its submitting
-- transaction (and changed by the desk's final decision in that decision's transaction), and daily
-- rollups of them kept in the same transactions, so that every figure is a sum over a few thousand
-- rows whatever the number of applications. Facts of applications stored before this migration are
-- written by the server at start (premia_server::dashboard::backfill: the quote JSON is read by the
-- same code that derives them at submission). Amounts in fen (BIGINT); days are whole days since
-- 1970-01-01 in the insurer's time zone.

-- One row per application.
CREATE TABLE dashboard_applications (
    application_number TEXT PRIMARY KEY REFERENCES applications (number),
    submitted_at       BIGINT NOT NULL,
    submitted_day      BIGINT NOT NULL,
    channel            TEXT NOT NULL,
    agent_code         TEXT,
    region             TEXT,
    province           TEXT NOT NULL,
    -- automatic: decided by pre-underwriting at submission; desk: referred to the underwriting desk.
    path               TEXT NOT NULL CHECK (path IN ('automatic', 'desk')),
    status             TEXT NOT NULL CHECK (status IN ('accepted', 'referred', 'declined', 'postponed')),
    decided_at         BIGINT,
    decided_day        BIGINT,
    coverages          BIGINT NOT NULL,
    changed_at         BIGINT NOT NULL
);
-- Manual underwriting times of the desk's decided cases, by the day decided.
CREATE INDEX dashboard_applications_by_desk_day ON dashboard_applications (decided_day, submitted_at, decided_at)
    WHERE path = 'desk' AND decided_at IS NOT NULL;
-- "Has anything changed since?" (the live updates of other replicas' writes).
CREATE INDEX dashboard_applications_by_change ON dashboard_applications (changed_at);

-- One row per priced coverage (a policy, 件): the premium figures of premia_dashboard::facts.
CREATE TABLE dashboard_coverages (
    application_number  TEXT NOT NULL REFERENCES dashboard_applications (application_number),
    coverage_index      BIGINT NOT NULL,
    product             TEXT NOT NULL,
    product_version     BIGINT NOT NULL,
    line                TEXT NOT NULL,
    payment_term        TEXT NOT NULL,
    payment_years       BIGINT NOT NULL,
    frequency           TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('regular', 'single', 'short_term')),
    gross_first_year    BIGINT NOT NULL,
    discount_first_year BIGINT NOT NULL,
    discount_total      BIGINT NOT NULL,
    first_year          BIGINT NOT NULL,
    annualised          BIGINT NOT NULL,
    single_premium      BIGINT NOT NULL,
    -- Copies of the application's, so that a filtered query reads one table.
    channel             TEXT NOT NULL,
    agent_code          TEXT,
    province            TEXT NOT NULL,
    status              TEXT NOT NULL,
    -- The day it became new business (承保日): submission for automatic acceptance, the desk's final
    -- decision otherwise; NULL while it is not accepted.
    accepted_day        BIGINT,
    CHECK (first_year = gross_first_year - discount_first_year AND annualised + single_premium = first_year),
    PRIMARY KEY (application_number, coverage_index)
);
CREATE INDEX dashboard_coverages_by_product ON dashboard_coverages (product, accepted_day);
CREATE INDEX dashboard_coverages_by_province ON dashboard_coverages (province, accepted_day);

-- Each discount's share of a coverage, and the rule behind it (campaign, voucher or referral series,
-- bundle).
CREATE TABLE dashboard_discounts (
    application_number TEXT NOT NULL,
    coverage_index     BIGINT NOT NULL,
    position           BIGINT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('bundle', 'campaign', 'referral', 'voucher')),
    rule               TEXT NOT NULL,
    first_year         BIGINT NOT NULL,
    total              BIGINT NOT NULL,
    PRIMARY KEY (application_number, coverage_index, position),
    FOREIGN KEY (application_number, coverage_index) REFERENCES dashboard_coverages (application_number, coverage_index)
);

-- Rollups, kept in the transactions that write the facts. Accepted business by the day it was accepted.
CREATE TABLE dashboard_premium_daily (
    day                 BIGINT NOT NULL,
    channel             TEXT NOT NULL,
    product             TEXT NOT NULL,
    line                TEXT NOT NULL,
    province            TEXT NOT NULL,
    kind                TEXT NOT NULL,
    policies            BIGINT NOT NULL,
    first_year          BIGINT NOT NULL,
    gross               BIGINT NOT NULL,
    discount_first_year BIGINT NOT NULL,
    discount_total      BIGINT NOT NULL,
    PRIMARY KEY (day, channel, product, province, kind)
);

CREATE TABLE dashboard_agent_daily (
    day                 BIGINT NOT NULL,
    agent_code          TEXT NOT NULL,
    kind                TEXT NOT NULL,
    policies            BIGINT NOT NULL,
    first_year          BIGINT NOT NULL,
    gross               BIGINT NOT NULL,
    discount_first_year BIGINT NOT NULL,
    discount_total      BIGINT NOT NULL,
    PRIMARY KEY (day, agent_code, kind)
);

CREATE TABLE dashboard_discount_daily (
    day        BIGINT NOT NULL,
    channel    TEXT NOT NULL,
    product    TEXT NOT NULL,
    province   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    rule       TEXT NOT NULL,
    uses       BIGINT NOT NULL,
    first_year BIGINT NOT NULL,
    total      BIGINT NOT NULL,
    PRIMARY KEY (day, channel, product, province, kind, rule)
);

-- Applications by the day submitted. product '' counts each application once; a row per product
-- counts the applications that include it.
CREATE TABLE dashboard_application_daily (
    day       BIGINT NOT NULL,
    channel   TEXT NOT NULL,
    province  TEXT NOT NULL,
    product   TEXT NOT NULL,
    submitted BIGINT NOT NULL,
    automatic BIGINT NOT NULL,
    referred  BIGINT NOT NULL,
    PRIMARY KEY (day, channel, province, product)
);

-- Quotes POST /api/quotes/verify found valid, by day and channel (counted in memory, added every
-- half second).
CREATE TABLE dashboard_verified_daily (
    day      BIGINT NOT NULL,
    channel  TEXT NOT NULL,
    verified BIGINT NOT NULL,
    PRIMARY KEY (day, channel)
);
