"""The run half of bulk jobs: the pump that sends a job's rows within the rate budget (engine),
settles rows whose answer was lost (reconcile), commits each row's outcome (outcomes), applies the
existing-account policy (policies), updates accounts (updates: update jobs and the revert jobs of
bulk/reverts.py), keeps one live pump chain per job (chain), reports progress (progress) and tells
the owner when a job ends (notify)."""
