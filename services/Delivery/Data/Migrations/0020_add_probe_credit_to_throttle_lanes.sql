-- Issue 16: a lane's saved probe credit (ShapingPolicy.ProbeBudget) survives a restart with its rate; lanes saved
-- before start with none, as a new lane does.
ALTER TABLE throttle_lanes ADD COLUMN probe_credit double precision NOT NULL DEFAULT 0;
