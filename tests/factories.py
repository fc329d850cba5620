"""factory-boy factories. Tenant models are created with the scope guard off, as setup code must."""

import factory
from django_scopes import scopes_disabled

from accounts.models import User
from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, Phase, School
from sendreview.roles import Role


class ScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class LocalAuthorityFactory(ScopedFactory):
    class Meta:
        model = LocalAuthority

    name = factory.Sequence(lambda n: f"Borough {n}")
    slug = factory.Sequence(lambda n: f"borough-{n}")
    la_code = factory.Sequence(lambda n: f"{800 + n % 199:03d}")
    gss_code = factory.Sequence(lambda n: f"E09{n % 1000000:06d}")


class SchoolFactory(ScopedFactory):
    class Meta:
        model = School

    la = factory.SubFactory(LocalAuthorityFactory)
    urn = factory.Sequence(lambda n: f"{500000 + n:06d}")
    laestab = factory.LazyAttributeSequence(lambda o, n: f"{o.la.la_code}{2000 + n % 8000:04d}")
    name = factory.Sequence(lambda n: f"Test School {n}")
    phase = Phase.PRIMARY
    number_on_roll = 300


class AcademicYearFactory(ScopedFactory):
    class Meta:
        model = AcademicYear

    la = factory.SubFactory(LocalAuthorityFactory)
    start_year = 2026
    is_current = True


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.SENCO
    school = factory.SubFactory(SchoolFactory)
    la = factory.LazyAttribute(lambda o: o.school.la if o.school else None)


class EPAssignmentFactory(ScopedFactory):
    class Meta:
        model = EPAssignment

    ep = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.SubFactory(AcademicYearFactory, la=factory.SelfAttribute("..school.la"))
    time_allocated = 6
