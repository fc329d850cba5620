from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"

    def load_demo(self, *, result) -> None:
        """The app's demo data (`manage.py load_demo` calls every app that has this): a return for
        every demo school and year, both sides of the 2014 code change for one LA."""
        from audits.demo import load_demo_audits

        load_demo_audits(result=result)
