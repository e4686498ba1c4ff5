"""factory_boy factories shared by all tests."""

import factory
from rest_framework.authtoken.models import Token

from accounts.models import Industry, Organization, Region, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:05d}")
    name_zh = factory.Sequence(lambda n: f"测试县{n}")
    name_en = factory.Sequence(lambda n: f"Test County {n}")
    level = Region.Level.COUNTY
    parent = None


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"industry{n}")
    name_zh = factory.Sequence(lambda n: f"行业{n}")
    name_en = factory.Sequence(lambda n: f"Industry {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"单位{n}")
    region = factory.SubFactory(RegionFactory)
    industry = factory.SubFactory(IndustryFactory)
    headcount_target = 10


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    region = factory.SubFactory(RegionFactory)
    role = User.Role.PARTICIPANT
    password = factory.PostGenerationMethodCall("set_password", "Safety@2026")

    @factory.post_generation
    def with_token(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()
            Token.objects.get_or_create(user=obj)
