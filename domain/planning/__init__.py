"""The mutation plan: recommend the placement that serves best, under every rule, with reasons.

Kept free of imports: import `domain.planning.planner.compute_plan` and `domain.planning.plan.MutationPlan`
directly. What a plan is asked (`PlanOptions`) and the reference a proposal keeps of it (`PlanReference`)
live beside the round in `domain.plan_options`.
"""
