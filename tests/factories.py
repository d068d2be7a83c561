import factory

from supervision.models import ConflictDeclaration, Person, PersonCategory, Unit, UnitKind


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT


class TownshipFactory(UnitFactory):
    name = factory.Sequence(lambda n: f"测试镇{n}")
    kind = UnitKind.TOWNSHIP


class VillageFactory(UnitFactory):
    name = factory.Sequence(lambda n: f"测试村{n}")
    kind = UnitKind.VILLAGE
    parent = factory.SubFactory(TownshipFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    category = PersonCategory.DISCIPLINE_CADRE
    home_unit = factory.SubFactory(TownshipFactory)
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    person = factory.SubFactory(PersonFactory)
    unit = factory.SubFactory(VillageFactory)
    reason = "relative"
