-- The devices each account signed in from, for the new-device notice: docs/accounts.md, "Security notices
-- and the freeze switch". Browser and OS families and a network prefix only, never the full address.

-- CreateTable
CREATE TABLE "login_devices" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "browser" VARCHAR(64) NOT NULL,
    "os" VARCHAR(64) NOT NULL,
    "network" VARCHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "login_devices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "login_devices_user_device_key" ON "login_devices"("user_id", "browser", "os", "network");

-- AddForeignKey
ALTER TABLE "login_devices" ADD CONSTRAINT "login_devices_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
