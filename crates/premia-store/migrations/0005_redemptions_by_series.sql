-- Issue 10: a voucher is identified by its catalogue, its series and its id (V-0001 of series V50 is not
-- V-0001 of series V200, nor of another insurer's catalogue). Rows redeemed before take their catalogue
-- from their application; their series is filled in from the stored quote by the store on its next start
-- (premia_store::migrate, which reads each row's `coupons_used`), marked '' until then.
CREATE TABLE coupon_redemptions_scoped (
    catalogue_id       TEXT NOT NULL,
    series             TEXT NOT NULL,
    coupon_id          TEXT NOT NULL,
    application_number TEXT NOT NULL REFERENCES applications (number),
    redeemed_at        BIGINT NOT NULL,
    PRIMARY KEY (catalogue_id, series, coupon_id)
);
INSERT INTO coupon_redemptions_scoped (catalogue_id, series, coupon_id, application_number, redeemed_at)
    SELECT a.catalogue_id, '', r.coupon_id, r.application_number, r.redeemed_at
    FROM coupon_redemptions r JOIN applications a ON a.number = r.application_number;
DROP TABLE coupon_redemptions;
ALTER TABLE coupon_redemptions_scoped RENAME TO coupon_redemptions;
CREATE INDEX coupon_redemptions_by_application ON coupon_redemptions (application_number);
