from django.apps import AppConfig


class WorkplansConfig(AppConfig):
    name = "workplans"

    def load_demo(self, *, result) -> None:
        """Work plans for every school with an EP over the demo years, in every state (after the
        self-reviews they start from: frameworks comes earlier in INSTALLED_APPS)."""
        from workplans.demo import load_demo_plans

        load_demo_plans(result=result)
