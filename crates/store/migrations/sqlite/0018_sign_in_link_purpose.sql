-- What a mailed link does: signs in (SIGN_IN), signs in a transfer's recipient (TRANSFER, valid
-- as long as the offer), or signs out the account's other devices (FREE_DEVICES).
ALTER TABLE wallet_sign_in_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'SIGN_IN';
