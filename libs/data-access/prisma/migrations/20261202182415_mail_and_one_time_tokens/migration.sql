-- Mail (the courier's queue) and the one-time tokens of the mail flows: docs/mail.md.
-- Columns for verification, the freeze switch and the anti-phishing code ride along.

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "anti_phishing_code" VARCHAR(20),
ADD COLUMN     "email_verified_at" TIMESTAMPTZ(3),
ADD COLUMN     "frozen_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "mail_messages" (
    "id" UUID NOT NULL,
    "user_id" UUID,
    "template" VARCHAR(40) NOT NULL,
    "recipient" VARCHAR(254) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "link_token" VARCHAR(200),
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" VARCHAR(500),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "abandoned_at" TIMESTAMPTZ(3),

    CONSTRAINT "mail_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "one_time_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "one_time_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mail_messages_user_id_idx" ON "mail_messages"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "one_time_tokens_token_hash_key" ON "one_time_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "one_time_tokens_user_id_kind_idx" ON "one_time_tokens"("user_id", "kind");

-- AddForeignKey
ALTER TABLE "one_time_tokens" ADD CONSTRAINT "one_time_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the courier's scan reads only what is due, and a status outside the three is refused.
CREATE INDEX "mail_messages_due_idx" ON "mail_messages" ("next_attempt_at") WHERE "status" = 'pending';
ALTER TABLE "mail_messages" ADD CONSTRAINT "mail_messages_status_check" CHECK ("status" IN ('pending', 'sent', 'abandoned'));
ALTER TABLE "one_time_tokens" ADD CONSTRAINT "one_time_tokens_kind_check"
  CHECK ("kind" IN ('email_verification', 'password_reset', 'email_change', 'account_freeze'));
