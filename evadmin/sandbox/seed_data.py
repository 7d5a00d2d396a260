"""Reference data the seeder draws from: per-country cities, streets, names, postcodes and tariffs.

Postcodes follow each country's format (GB `SW1A 2BD`, NL `1012 AB`, IE Eircode `D02 X285`,
CA `M5V 3L9`, five digits elsewhere) unless the seeder plants a malformed one on purpose; city
coordinates are real, so seeded coordinates fall inside the country.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    state: str | None
    latitude: float
    longitude: float
    postal_prefixes: tuple[str, ...]
    timezone: str


@dataclass(frozen=True)
class SupplierProfile:
    name: str
    highlighted: bool
    tariffs: tuple[tuple[str, int], ...]  # (name, price in the smallest currency unit per kWh)


@dataclass(frozen=True)
class CountryProfile:
    code: str
    currency: str
    street_format: str  # "{n}" is the house number
    streets: tuple[str, ...]
    address_2_formats: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[City, ...]
    suppliers: tuple[SupplierProfile, ...]
    site_operators: tuple[str, ...]


def _letters(rng, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def _digits(rng, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def postcode(country: str, prefix: str, rng) -> str:
    """A postcode in the country's own format, starting with a real prefix of the city."""
    if country == "GB":
        return f"{prefix} {_digits(rng, 1)}{_letters(rng, 'ABDEFGHJLNPQRSTUWXYZ', 2)}"
    if country == "NL":
        letters = _letters(rng, "ABCEGHJKLMNPRTVWXZ", 2)  # no SA, SD, SS
        return f"{prefix}{_digits(rng, 4 - len(prefix))} {letters}"
    if country == "IE":
        return f"{prefix} {_letters(rng, 'ACDEFHKNPRTVWXY', 1)}{_letters(rng, '0123456789ACDEFHKNPRTVWXY', 3)}"
    if country == "CA":
        return f"{prefix} {_digits(rng, 1)}{_letters(rng, 'ABCEGHJKLMNPRSTVWXYZ', 1)}{_digits(rng, 1)}"
    return prefix + _digits(rng, 5 - len(prefix))  # US ZIP, DE PLZ, FR and ES codes postaux


def malformed_postcode(valid: str, rng) -> str:
    """A typo of a valid postcode that fits no country's format: cut short, or one character too many.

    Dropping the last two characters leaves every format above incomplete (`SW1A 2`, `787`,
    `1012`, `D02 X2`, `M5V 3`); one extra digit overruns all of them (`SW1A 2BD7`, `787017`).
    """
    if rng.random() < 0.5:
        return valid[:-2].rstrip()
    return valid + _digits(rng, 1)


COUNTRIES: dict[str, CountryProfile] = {
    "GB": CountryProfile(
        code="GB", currency="GBP", street_format="{n} {street}",
        streets=("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue",
                 "Queens Road", "Green Lane", "Manor Road", "King Street", "The Crescent", "Orchard Close"),
        address_2_formats=("Flat {n}", "Apartment {n}", "{n} Court"),
        first_names=("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Sophie",
                     "Arthur", "Grace", "Priya", "Mohammed"),
        last_names=("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Patel",
                    "Khan", "Roberts", "Walker", "Wright", "Hughes"),
        cities=(
            City("London", None, 51.5074, -0.1278, ("SW1A", "N1", "E2", "SE15", "NW3", "W5"), "Europe/London"),
            City("Manchester", None, 53.4808, -2.2426, ("M1", "M14", "M20"), "Europe/London"),
            City("Birmingham", None, 52.4862, -1.8904, ("B1", "B15", "B29"), "Europe/London"),
            City("Leeds", None, 53.8008, -1.5491, ("LS1", "LS6", "LS17"), "Europe/London"),
            City("Glasgow", None, 55.8642, -4.2518, ("G1", "G12", "G41"), "Europe/London"),
            City("Bristol", None, 51.4545, -2.5879, ("BS1", "BS6", "BS8"), "Europe/London"),
            City("Cardiff", None, 51.4816, -3.1791, ("CF10", "CF11", "CF24"), "Europe/London"),
        ),
        suppliers=(
            SupplierProfile("Octopus Energy", True, (("Intelligent Octopus Go", 7), ("Octopus Go", 9),
                                                     ("Agile Octopus", 18), ("Flexible Octopus", 25))),
            SupplierProfile("British Gas", False, (("EV Power", 8), ("Standard Variable", 26))),
            SupplierProfile("EDF Energy", False, (("GoElectric 35", 9), ("Standard Variable", 25))),
            SupplierProfile("OVO Energy", True, (("Charge Anytime", 7), ("Simpler Energy", 24))),
        ),
        site_operators=("Court", "House", "Apartments"),
    ),
    "US": CountryProfile(
        code="US", currency="USD", street_format="{n} {street}",
        streets=("Oak Street", "Maple Avenue", "Cedar Lane", "Pine Street", "Elm Drive", "Washington Avenue",
                 "Lake Shore Drive", "Sunset Boulevard", "Park Place", "Hillcrest Road"),
        address_2_formats=("Apt {n}", "Unit {n}", "Suite {n}"),
        first_names=("James", "Olivia", "Michael", "Emma", "William", "Sophia", "Ethan", "Ava", "Daniel",
                     "Isabella", "Mateo", "Chloe", "Jamal", "Mei"),
        last_names=("Johnson", "Williams", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Anderson",
                    "Jackson", "Lee", "Nguyen", "Walker", "Young", "Hernandez"),
        cities=(
            City("Austin", "TX", 30.2672, -97.7431, ("787",), "America/Chicago"),
            City("Seattle", "WA", 47.6062, -122.3321, ("981",), "America/Los_Angeles"),
            City("Denver", "CO", 39.7392, -104.9903, ("802",), "America/Denver"),
            City("Boston", "MA", 42.3601, -71.0589, ("021",), "America/New_York"),
            City("San Diego", "CA", 32.7157, -117.1611, ("921",), "America/Los_Angeles"),
            City("Chicago", "IL", 41.8781, -87.6298, ("606",), "America/Chicago"),
            City("Atlanta", "GA", 33.7490, -84.3880, ("303",), "America/New_York"),
            City("Portland", "OR", 45.5152, -122.6784, ("972",), "America/Los_Angeles"),
        ),
        suppliers=(
            SupplierProfile("Austin Energy", False, (("EV360", 9), ("Residential Standard", 12))),
            SupplierProfile("Pacific Gas and Electric", True, (("EV2-A", 28), ("E-ELEC", 35))),
            SupplierProfile("Xcel Energy", False, (("EV Accelerate At Home", 8), ("Residential Time of Use", 14))),
            SupplierProfile("Con Edison", False, (("Time-of-Use", 22), ("Standard", 27))),
        ),
        site_operators=("Apartments", "Lofts", "Condominiums"),
    ),
    "DE": CountryProfile(
        code="DE", currency="EUR", street_format="{street} {n}",
        streets=("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Goethestraße",
                 "Lindenstraße", "Bergstraße", "Kirchweg", "Am Markt", "Waldstraße"),
        address_2_formats=("Hinterhaus", "{n}. OG", "Wohnung {n}"),
        first_names=("Lukas", "Mia", "Leon", "Emma", "Finn", "Hannah", "Jonas", "Lena", "Paul", "Anna",
                     "Felix", "Marie", "Elif", "Maximilian"),
        last_names=("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
                    "Schulz", "Hoffmann", "Koch", "Richter", "Yılmaz", "Wolf"),
        cities=(
            City("Berlin", "Berlin", 52.5200, 13.4050, ("101", "104", "107", "120", "133"), "Europe/Berlin"),
            City("Hamburg", "Hamburg", 53.5511, 9.9937, ("200", "201", "221"), "Europe/Berlin"),
            City("München", "Bayern", 48.1351, 11.5820, ("803", "806", "809"), "Europe/Berlin"),
            City("Köln", "Nordrhein-Westfalen", 50.9375, 6.9603, ("506", "509", "511"), "Europe/Berlin"),
            City("Frankfurt am Main", "Hessen", 50.1109, 8.6821, ("603", "604", "605"), "Europe/Berlin"),
            City("Stuttgart", "Baden-Württemberg", 48.7758, 9.1829, ("701", "703", "705"), "Europe/Berlin"),
            City("Leipzig", "Sachsen", 51.3397, 12.3731, ("041", "043"), "Europe/Berlin"),
        ),
        suppliers=(
            SupplierProfile("Tibber", True, (("Tibber Dynamisch", 28),)),
            SupplierProfile("E.ON", False, (("E.ON Drive Strom", 33), ("E.ON Ökostrom", 38))),
            SupplierProfile("Vattenfall Deutschland", False, (("Natur Strom", 36), ("Autostrom", 31))),
            SupplierProfile("EnBW", False, (("Autostrom Plus", 34), ("Komfort", 39))),
        ),
        site_operators=("Wohnpark", "Quartier", "Höfe"),
    ),
    "FR": CountryProfile(
        code="FR", currency="EUR", street_format="{n} {street}",
        streets=("Rue de la République", "Avenue Victor Hugo", "Rue Pasteur", "Boulevard Voltaire",
                 "Rue du Moulin", "Rue de l'Église", "Avenue Jean Jaurès", "Rue des Lilas", "Place de la Mairie"),
        address_2_formats=("Bâtiment {n}", "Appartement {n}", "Résidence Les Tilleuls"),
        first_names=("Gabriel", "Louise", "Raphaël", "Jade", "Léo", "Ambre", "Louis", "Alice", "Lucas", "Chloé",
                     "Hugo", "Inès", "Yanis", "Camille"),
        last_names=("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                    "Moreau", "Simon", "Laurent", "Lefèvre", "Benali"),
        cities=(
            City("Paris", "Île-de-France", 48.8566, 2.3522, ("7501", "7502"), "Europe/Paris"),
            City("Lyon", "Auvergne-Rhône-Alpes", 45.7640, 4.8357, ("6900",), "Europe/Paris"),
            City("Marseille", "Provence-Alpes-Côte d'Azur", 43.2965, 5.3698, ("1300", "1301"), "Europe/Paris"),
            City("Toulouse", "Occitanie", 43.6047, 1.4442, ("3100", "3150"), "Europe/Paris"),
            City("Bordeaux", "Nouvelle-Aquitaine", 44.8378, -0.5792, ("3300", "3380"), "Europe/Paris"),
            City("Nantes", "Pays de la Loire", 47.2184, -1.5536, ("4400", "4430"), "Europe/Paris"),
            City("Lille", "Hauts-de-France", 50.6292, 3.0573, ("5900", "5980"), "Europe/Paris"),
        ),
        suppliers=(
            SupplierProfile("EDF", True, (("Tarif Bleu Base", 25), ("Tarif Bleu Heures Creuses", 21),
                                          ("Tempo", 16))),
            SupplierProfile("TotalEnergies", False, (("Offre Heures Creuses", 20), ("Offre Verte Fixe", 24))),
            SupplierProfile("Engie", False, (("Elec Référence", 25), ("Elec Car Heures Creuses", 19))),
        ),
        site_operators=("Résidence", "Les Jardins", "Le Clos"),
    ),
    "ES": CountryProfile(
        code="ES", currency="EUR", street_format="{street}, {n}",
        streets=("Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Calle Real", "Paseo del Prado",
                 "Calle de Alcalá", "Avenida de Andalucía", "Calle San Juan", "Plaza de España"),
        address_2_formats=("{n}º B", "{n}º A", "Bajo"),
        first_names=("Hugo", "Lucía", "Martín", "Sofía", "Pablo", "Martina", "Alejandro", "María", "Daniel",
                     "Paula", "Álvaro", "Carmen", "Javier", "Elena"),
        last_names=("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
                    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz"),
        cities=(
            City("Madrid", "Madrid", 40.4168, -3.7038, ("280",), "Europe/Madrid"),
            City("Barcelona", "Barcelona", 41.3874, 2.1686, ("080",), "Europe/Madrid"),
            City("Valencia", "Valencia", 39.4699, -0.3763, ("460",), "Europe/Madrid"),
            City("Sevilla", "Sevilla", 37.3891, -5.9845, ("410",), "Europe/Madrid"),
            City("Zaragoza", "Zaragoza", 41.6488, -0.8891, ("500",), "Europe/Madrid"),
            City("Málaga", "Málaga", 36.7213, -4.4214, ("290",), "Europe/Madrid"),
            City("Bilbao", "Bizkaia", 43.2630, -2.9350, ("480",), "Europe/Madrid"),
        ),
        suppliers=(
            SupplierProfile("Iberdrola", True, (("Plan Vehículo Eléctrico", 11), ("Plan Estable", 16))),
            SupplierProfile("Endesa", False, (("Tempo Happy", 14), ("One Luz", 15))),
            SupplierProfile("Naturgy", False, (("Tarifa Por Uso Luz", 15), ("Tarifa Noche Luz", 10))),
            SupplierProfile("Repsol", False, (("Ahorro Plus", 13),)),
        ),
        site_operators=("Residencial", "Edificio", "Urbanización"),
    ),
    "NL": CountryProfile(
        code="NL", currency="EUR", street_format="{street} {n}",
        streets=("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Julianastraat", "Prinsengracht",
                 "Beatrixlaan", "Schoolstraat", "Nieuwstraat", "Wilhelminapark"),
        address_2_formats=("{n}-hoog", "Huis", "bis"),
        first_names=("Noah", "Emma", "Liam", "Julia", "Lucas", "Mila", "Sem", "Tess", "Daan", "Sophie",
                     "Finn", "Zoë", "Mohamed", "Anouk"),
        last_names=("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
                    "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos"),
        cities=(
            City("Amsterdam", "Noord-Holland", 52.3676, 4.9041, ("10",), "Europe/Amsterdam"),
            City("Rotterdam", "Zuid-Holland", 51.9244, 4.4777, ("30",), "Europe/Amsterdam"),
            City("Utrecht", "Utrecht", 52.0907, 5.1214, ("35",), "Europe/Amsterdam"),
            City("Den Haag", "Zuid-Holland", 52.0705, 4.3007, ("25",), "Europe/Amsterdam"),
            City("Eindhoven", "Noord-Brabant", 51.4416, 5.4697, ("56",), "Europe/Amsterdam"),
            City("Groningen", "Groningen", 53.2194, 6.5665, ("97",), "Europe/Amsterdam"),
        ),
        suppliers=(
            SupplierProfile("Vattenfall Nederland", False, (("Vast tarief", 30), ("Dynamisch", 24))),
            SupplierProfile("Eneco", True, (("HollandseWind Vast", 32), ("Dynamisch", 25))),
            SupplierProfile("Essent", False, (("Variabel", 31), ("Vast 1 jaar", 29))),
            SupplierProfile("Frank Energie", False, (("Dynamisch", 23),)),
        ),
        site_operators=("Residentie", "Hof", "Erf"),
    ),
    "IE": CountryProfile(
        code="IE", currency="EUR", street_format="{n} {street}",
        streets=("Main Street", "Church Road", "Strand Road", "Patrick Street", "The Green", "Castle Street",
                 "Oak Park", "Seafield Road", "College Grove"),
        address_2_formats=("Apartment {n}", "Unit {n}", "{n} The Mews"),
        first_names=("Jack", "Emily", "Noah", "Grace", "James", "Fiadh", "Conor", "Sophie", "Oisín", "Aoife",
                     "Seán", "Saoirse", "Tadhg", "Niamh"),
        last_names=("Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith", "O'Brien", "Byrne", "Ryan",
                    "O'Connor", "O'Neill", "Doyle", "McCarthy", "Gallagher", "Kennedy"),
        cities=(
            City("Dublin", "Co. Dublin", 53.3498, -6.2603, ("D02", "D04", "D06", "D08", "D15"), "Europe/Dublin"),
            City("Cork", "Co. Cork", 51.8985, -8.4756, ("T12", "T23"), "Europe/Dublin"),
            City("Galway", "Co. Galway", 53.2707, -9.0568, ("H91",), "Europe/Dublin"),
            City("Limerick", "Co. Limerick", 52.6638, -8.6267, ("V94",), "Europe/Dublin"),
            City("Waterford", "Co. Waterford", 52.2593, -7.1101, ("X91",), "Europe/Dublin"),
        ),
        suppliers=(
            SupplierProfile("Electric Ireland", True, (("Home Electric+ Night Boost", 13), ("Standard Smart", 36))),
            SupplierProfile("Bord Gáis Energy", False, (("EV Smart", 12), ("Standard", 37))),
            SupplierProfile("Energia", False, (("EV Smart Drive", 11), ("Smart Data", 34))),
            SupplierProfile("SSE Airtricity", False, (("Standard Smart", 35),)),
        ),
        site_operators=("Court", "Apartments", "Quarter"),
    ),
    "CA": CountryProfile(
        code="CA", currency="CAD", street_format="{n} {street}",
        streets=("King Street West", "Queen Street East", "Main Street", "Maple Avenue", "Birch Road",
                 "Lakeshore Boulevard", "Rue Saint-Denis", "Wellington Street", "Spruce Crescent"),
        address_2_formats=("Unit {n}", "Apt {n}", "Suite {n}"),
        first_names=("Liam", "Olivia", "Noah", "Charlotte", "William", "Emma", "Benjamin", "Amelia", "Félix",
                     "Léa", "Lucas", "Chloé", "Arjun", "Hannah"),
        last_names=("Smith", "Tremblay", "Martin", "Roy", "Wilson", "MacDonald", "Gagnon", "Johnson", "Taylor",
                    "Côté", "Campbell", "Anderson", "Singh", "Leblanc"),
        cities=(
            City("Toronto", "ON", 43.6532, -79.3832, ("M5V", "M4C", "M6G"), "America/Toronto"),
            City("Vancouver", "BC", 49.2827, -123.1207, ("V6B", "V5K"), "America/Vancouver"),
            City("Montréal", "QC", 45.5017, -73.5673, ("H2X", "H3A"), "America/Toronto"),
            City("Calgary", "AB", 51.0447, -114.0719, ("T2P", "T3A"), "America/Edmonton"),
            City("Ottawa", "ON", 45.4215, -75.6972, ("K1P", "K2P"), "America/Toronto"),
            City("Halifax", "NS", 44.6488, -63.5752, ("B3H", "B3J"), "America/Halifax"),
        ),
        suppliers=(
            SupplierProfile("Toronto Hydro", True, (("Ultra-Low Overnight", 3), ("Time-of-Use", 10))),
            SupplierProfile("BC Hydro", False, (("Residential Conservation Rate", 11), ("EV Time-of-Day", 9))),
            SupplierProfile("Hydro-Québec", False, (("Rate D", 7), ("Rate Flex D", 5))),
            SupplierProfile("Alectra Utilities", False, (("Ultra-Low Overnight", 3),)),
        ),
        site_operators=("Towers", "Residences", "Lofts"),
    ),
}

# Seeded share of users per country (sums to 1): mostly GB and US, as ev.energy's markets are.
COUNTRY_WEIGHTS = {"GB": 0.34, "US": 0.22, "DE": 0.10, "FR": 0.08, "ES": 0.07, "NL": 0.07, "IE": 0.06, "CA": 0.06}
