"""The mutation plan: recommend the placement that serves best, under every rule, with reasons.

Kept free of imports so that `domain.proposal` can refer to `domain.planning.options` without a cycle;
import `domain.planning.planner.compute_plan` and `domain.planning.plan.MutationPlan` directly.
"""
