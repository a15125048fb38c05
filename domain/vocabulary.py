"""The domain's closed vocabularies (DOMAIN.md), as ordered enumerations."""

from __future__ import annotations

from enum import Enum


class Rank(str, Enum):
    """Golongan/pangkat, lowest first: I/a ... IV/e (17 ranks)."""

    I_A = "I/a"
    I_B = "I/b"
    I_C = "I/c"
    I_D = "I/d"
    II_A = "II/a"
    II_B = "II/b"
    II_C = "II/c"
    II_D = "II/d"
    III_A = "III/a"
    III_B = "III/b"
    III_C = "III/c"
    III_D = "III/d"
    IV_A = "IV/a"
    IV_B = "IV/b"
    IV_C = "IV/c"
    IV_D = "IV/d"
    IV_E = "IV/e"

    @property
    def order(self) -> int:
        """0 for I/a up to 16 for IV/e."""
        return list(Rank).index(self)


class PositionType(str, Enum):
    """Jenis jabatan."""

    JPT_UTAMA = "jpt_utama"
    JPT_MADYA = "jpt_madya"
    JPT_PRATAMA = "jpt_pratama"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    PELAKSANA = "pelaksana"
    FUNGSIONAL_AHLI_PERTAMA = "fungsional_ahli_pertama"
    FUNGSIONAL_AHLI_MUDA = "fungsional_ahli_muda"
    FUNGSIONAL_AHLI_MADYA = "fungsional_ahli_madya"
    FUNGSIONAL_AHLI_UTAMA = "fungsional_ahli_utama"
    FUNGSIONAL_PEMULA = "fungsional_pemula"
    FUNGSIONAL_TERAMPIL = "fungsional_terampil"
    FUNGSIONAL_MAHIR = "fungsional_mahir"
    FUNGSIONAL_PENYELIA = "fungsional_penyelia"

    @property
    def is_senior_executive(self) -> bool:
        """JPT Utama, Madya or Pratama."""
        return self.value.startswith("jpt_")


class Expectation(str, Enum):
    """A rating against expectations (SKP results or behaviour, talent-map performance)."""

    BELOW = "below"
    AS_EXPECTED = "as_expected"
    ABOVE = "above"


class Potential(str, Enum):
    """Potential measured by the assessment centre."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Predikat(str, Enum):
    """SKP rating (PermenPANRB 6/2022), best first."""

    SANGAT_BAIK = "Sangat Baik"
    BAIK = "Baik"
    BUTUH_PERBAIKAN = "Butuh Perbaikan"
    KURANG = "Kurang"
    SANGAT_KURANG = "Sangat Kurang"

    @property
    def rank(self) -> int:
        """0 for the best rating, 4 for the worst."""
        return list(Predikat).index(self)

    def at_least(self, other: Predikat) -> bool:
        """True when this rating is as good as `other` or better."""
        return self.rank <= other.rank


class SanctionLevel(str, Enum):
    """Disciplinary sanction level (hukuman disiplin ringan/sedang/berat)."""

    LIGHT = "light"
    MODERATE = "moderate"
    SEVERE = "severe"


class TransferKind(str, Enum):
    """Kind of transfer (PP 11/2017 art. 190-193)."""

    WITHIN_AGENCY = "within_agency"
    BETWEEN_AGENCIES_IN_PROVINCE = "between_agencies_in_province"
    BETWEEN_PROVINCES = "between_provinces"
    CENTRAL_REGIONAL = "central_regional"

    @property
    def is_cross_agency(self) -> bool:
        """Cross-agency kinds need both consents and a technical review (pertek)."""
        return self is not TransferKind.WITHIN_AGENCY

    @property
    def decided_by(self) -> str:
        """Who decides this kind of transfer."""
        return _DECIDED_BY[self]

    @property
    def deciding_office(self) -> Office | None:
        """The office that decides this kind; None: the PPK of the round's agency."""
        return _DECIDING_OFFICE[self]

    @property
    def reviewed_by(self) -> str | None:
        """Who gives the technical review (pertimbangan teknis), if any."""
        return _REVIEWED_BY[self]


class Office(str, Enum):
    """An office above the agencies that decides cross-agency transfers (PP 11/2017 art. 190-193)."""

    GOVERNOR = "governor"
    MINISTER_OF_HOME_AFFAIRS = "minister_of_home_affairs"
    HEAD_OF_BKN = "head_of_bkn"


_DECIDING_OFFICE = {
    TransferKind.WITHIN_AGENCY: None,
    TransferKind.BETWEEN_AGENCIES_IN_PROVINCE: Office.GOVERNOR,
    TransferKind.BETWEEN_PROVINCES: Office.MINISTER_OF_HOME_AFFAIRS,
    TransferKind.CENTRAL_REGIONAL: Office.HEAD_OF_BKN,
}
_DECIDED_BY = {
    TransferKind.WITHIN_AGENCY: "PPK of the agency",
    TransferKind.BETWEEN_AGENCIES_IN_PROVINCE: "Governor",
    TransferKind.BETWEEN_PROVINCES: "Minister of Home Affairs",
    TransferKind.CENTRAL_REGIONAL: "Head of BKN",
}
_REVIEWED_BY = {
    TransferKind.WITHIN_AGENCY: None,
    TransferKind.BETWEEN_AGENCIES_IN_PROVINCE: "BKN regional office",
    TransferKind.BETWEEN_PROVINCES: "Head of BKN",
    TransferKind.CENTRAL_REGIONAL: "BKN",
}


class ConsentParty(str, Enum):
    """Which PPK gives written consent to a cross-agency transfer."""

    RELEASING = "releasing"
    RECEIVING = "receiving"


class DevelopmentActivity(str, Enum):
    """Kind of development (pembinaan) activity."""

    TRAINING = "training"
    MENTORING = "mentoring"
    E_LEARNING = "e_learning"
    COACHING = "coaching"
