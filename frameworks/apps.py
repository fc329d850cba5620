from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"

    def load_demo(self, *, result) -> None:
        """The app's own demo data (`manage.py load_demo` calls every app that has this): the
        frameworks, the demo LAs' choices and several years of self-reviews."""
        from frameworks.reviews.demo import load_demo_reviews

        load_demo_reviews(result=result)
