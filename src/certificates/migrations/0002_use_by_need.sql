-- 用证 by need (#16): the matter an official used a certificate in, and supervisory reads.
ALTER TABLE certificate_uses ADD COLUMN matter TEXT NOT NULL DEFAULT '';
ALTER TABLE certificate_uses ADD COLUMN supervisory INTEGER NOT NULL DEFAULT 0;
