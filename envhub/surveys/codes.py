"""The registry's codes, loaded once per validation as sets, so that checking a row's foreign
keys is a set look-up, never a query (`validation.validate` takes a `RegistryCodes`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from envhub.registry.validators import compact_tax_code


def normalise(resource: str, values: tuple) -> tuple:
    """A row's key as the registry stores it: station codes in upper case (they are unique
    whatever their case), tax codes without their dash (0100109106-001)."""
    if resource == "registry:station":
        return (str(values[0]).upper(),)
    if resource == "registry:facility":
        try:
            return (compact_tax_code(str(values[0])),)
        except Exception:
            return (str(values[0]),)
    return tuple(str(value) for value in values)


@dataclass
class RegistryCodes:
    """Sets of keys per registry resource and referenced fields
    (`tableschema.REGISTRY_RESOURCES`), and each parameter's canonical unit by (medium, code)."""

    keys: dict[tuple[str, tuple], set[tuple]] = field(default_factory=dict)
    parameter_units: dict[tuple[str, str], str] = field(default_factory=dict)

    def has(self, resource: str, fields: tuple, values: tuple) -> bool:
        """Whether the registry has the key `values` of `fields` in `resource`."""
        return normalise(resource, values) in self.keys.get((resource, fields), ())

    @classmethod
    def load(cls) -> RegistryCodes:
        from envhub.registry.models import Facility, Parameter, Province, Station, Ward

        parameters = list(Parameter.objects.values_list("medium", "code", "unit"))
        wards = list(Ward.objects.values_list("province__code", "code"))
        return cls(
            keys={
                ("registry:province", ("code",)): {
                    (code,) for code in Province.objects.values_list("code", flat=True)},
                ("registry:ward", ("code",)): {(code,) for _province, code in wards},
                ("registry:ward", ("province", "code")): set(wards),
                ("registry:facility", ("tax_code",)): {
                    (code,) for code in Facility.objects.values_list("tax_code", flat=True)},
                ("registry:station", ("code",)): {
                    (code.upper(),) for code in Station.objects.values_list("code", flat=True)},
                ("registry:parameter", ("medium", "code")): {
                    (medium, code) for medium, code, _unit in parameters},
            },
            parameter_units={(medium, code): unit for medium, code, unit in parameters},
        )
