-- Down of 0000_initial, generated from its snapshot back to the one before; `revert` applies it.
-- Drops the extension `pgcrypto` too, which the migration creates when missing: remove that statement if the database had it before.
-- schema:destructive
-- Loses data: drops the table `users`: every row of it is lost
-- Loses data: drops the table `stripe_customers`: every row of it is lost
-- Loses data: drops the table `stripe_subscriptions`: every row of it is lost
-- Loses data: drops the table `stripe_events`: every row of it is lost
-- Loses data: drops the table `questions`: every row of it is lost
-- Loses data: drops the table `choices`: every row of it is lost
-- Loses data: drops the table `tags`: every row of it is lost
-- Loses data: drops the table `question_tags`: every row of it is lost
-- Loses data: drops the table `practice_sessions`: every row of it is lost
-- Loses data: drops the table `attempts`: every row of it is lost
-- Loses data: drops the table `bookmarks`: every row of it is lost
ALTER TABLE "stripe_customers" DROP CONSTRAINT "stripe_customers_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "stripe_subscriptions" DROP CONSTRAINT "stripe_subscriptions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "choices" DROP CONSTRAINT "choices_question_id_questions_id_fk";
--> statement-breakpoint
ALTER TABLE "question_tags" DROP CONSTRAINT "question_tags_question_id_questions_id_fk";
--> statement-breakpoint
ALTER TABLE "question_tags" DROP CONSTRAINT "question_tags_tag_id_tags_id_fk";
--> statement-breakpoint
ALTER TABLE "practice_sessions" DROP CONSTRAINT "practice_sessions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_question_id_questions_id_fk";
--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_practice_session_id_practice_sessions_id_fk";
--> statement-breakpoint
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_selected_choice_id_choices_id_fk";
--> statement-breakpoint
ALTER TABLE "bookmarks" DROP CONSTRAINT "bookmarks_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "bookmarks" DROP CONSTRAINT "bookmarks_question_id_questions_id_fk";
--> statement-breakpoint
DROP TABLE "users";
--> statement-breakpoint
DROP TABLE "stripe_customers";
--> statement-breakpoint
DROP TABLE "stripe_subscriptions";
--> statement-breakpoint
DROP TABLE "stripe_events";
--> statement-breakpoint
DROP TABLE "questions";
--> statement-breakpoint
DROP TABLE "choices";
--> statement-breakpoint
DROP TABLE "tags";
--> statement-breakpoint
DROP TABLE "question_tags";
--> statement-breakpoint
DROP TABLE "practice_sessions";
--> statement-breakpoint
DROP TABLE "attempts";
--> statement-breakpoint
DROP TABLE "bookmarks";
--> statement-breakpoint
DROP TYPE "public"."question_difficulty";
--> statement-breakpoint
DROP TYPE "public"."question_status";
--> statement-breakpoint
DROP TYPE "public"."tag_kind";
--> statement-breakpoint
DROP TYPE "public"."practice_mode";
--> statement-breakpoint
DROP TYPE "public"."stripe_subscription_status";
--> statement-breakpoint
DROP EXTENSION IF EXISTS "pgcrypto";
