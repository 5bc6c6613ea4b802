"""The sandbox's world, generated deterministically from a seed (no network, no packages).

`generate_world(seed)` builds everything the simulated API serves: ~400 people, ~100
companies, the connected account's own profile and its network (connections, invitations
received and sent, profile viewers), an inbox, a feed of posts with comments and reactions,
recruiter jobs with candidates, and the work emails behind mail lookups. The same seed always
gives the same world. The records are plain mutable dataclasses: `state.py` owns the world
and handlers change it (a sent message, an accepted invitation, a new post...).
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# Seeded content is dated before this instant; events created while running come after it.
T0_MS = int(datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc).timestamp() * 1000)
DAY_MS = 86_400_000

LINKEDIN = "https://www.linkedin.com"
ME_ID = 0  # person id of the connected account itself

FIRST_NAMES = [
    "Alice",
    "Bruno",
    "Camille",
    "David",
    "Emma",
    "Farid",
    "Giulia",
    "Hugo",
    "Ines",
    "Jonas",
    "Karim",
    "Laura",
    "Mathieu",
    "Nadia",
    "Olivier",
    "Paula",
    "Quentin",
    "Rita",
    "Samuel",
    "Tara",
    "Ugo",
    "Valentina",
    "William",
    "Xenia",
    "Yann",
    "Zoe",
    "Amelie",
    "Benoit",
    "Chloe",
    "Diego",
    "Elena",
    "Felix",
    "Gabriel",
    "Hannah",
    "Ivan",
    "Julia",
    "Kevin",
    "Lea",
    "Marco",
    "Nora",
    "Oscar",
    "Priya",
    "Raphael",
    "Sofia",
    "Thomas",
    "Ulla",
    "Victor",
    "Wendy",
    "Yasmine",
    "Lucas",
    "Manon",
    "Noah",
    "Sarah",
    "Adam",
    "Clara",
    "Louis",
    "Anna",
    "Maxime",
    "Eva",
    "Jules",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Schmidt",
    "Fischer",
    "Weber",
    "Rossi",
    "Russo",
    "Ferrari",
    "Garcia",
    "Martinez",
    "Lopez",
    "Sanchez",
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Clarke",
    "Nguyen",
    "Kowalski",
    "Novak",
    "Jansen",
    "De Vries",
    "Peeters",
    "Andersson",
    "Nielsen",
    "Silva",
    "Costa",
    "OConnor",
    "Murphy",
    "Cohen",
    "Khan",
    "Patel",
    "Singh",
    "Tanaka",
    "Sato",
    "Kim",
    "Chen",
    "Wang",
    "Haddad",
    "Benali",
    "Mercier",
]
LOCATIONS = [
    ("Paris, Île-de-France, France", 16),
    ("Lyon, Auvergne-Rhône-Alpes, France", 5),
    ("Marseille, Provence-Alpes-Côte d'Azur, France", 2),
    ("London, England, United Kingdom", 9),
    ("Manchester, England, United Kingdom", 2),
    ("Berlin, Germany", 6),
    ("Munich, Bavaria, Germany", 3),
    ("Amsterdam, North Holland, Netherlands", 4),
    ("Brussels, Brussels Region, Belgium", 2),
    ("Madrid, Community of Madrid, Spain", 3),
    ("Barcelona, Catalonia, Spain", 3),
    ("Milan, Lombardy, Italy", 3),
    ("Lisbon, Portugal", 2),
    ("Zurich, Switzerland", 2),
    ("Dublin, Ireland", 2),
    ("Stockholm, Sweden", 2),
    ("New York, New York, United States", 7),
    ("San Francisco, California, United States", 6),
    ("Austin, Texas, United States", 2),
    ("Toronto, Ontario, Canada", 3),
    ("Montreal, Quebec, Canada", 2),
    ("Singapore", 2),
]
# industry -> sector
INDUSTRIES = {
    "Software Development": "Technology",
    "IT Services and IT Consulting": "Technology",
    "Computer and Network Security": "Technology",
    "Financial Services": "Finance",
    "Banking": "Finance",
    "Venture Capital and Private Equity Principals": "Finance",
    "Insurance": "Finance",
    "Marketing Services": "Media",
    "Advertising Services": "Media",
    "Hospitals and Health Care": "Healthcare",
    "Biotechnology Research": "Healthcare",
    "Retail": "Consumer",
    "Consumer Goods": "Consumer",
    "Food and Beverage Services": "Consumer",
    "Manufacturing": "Industrial",
    "Logistics": "Industrial",
    "Staffing and Recruiting": "Services",
    "E-Learning Providers": "Education",
    "Higher Education": "Education",
    "Real Estate": "Real Estate",
    "Renewable Energy Power Generation": "Energy",
    "Telecommunications": "Technology",
}
COMPANY_PREFIXES = [
    "Nova",
    "Blue",
    "Quantum",
    "Atlas",
    "Bright",
    "Cedar",
    "Delta",
    "Echo",
    "Flux",
    "Granite",
    "Helix",
    "Iris",
    "Juniper",
    "Kinetic",
    "Lumen",
    "Maple",
    "Nimbus",
    "Orbit",
    "Pixel",
    "Quartz",
    "Riverside",
    "Summit",
    "Terra",
    "Umbra",
    "Vertex",
    "Willow",
    "Zenith",
    "Aurora",
    "Beacon",
    "Cobalt",
]
# suffix -> plausible industries
COMPANY_SUFFIXES = {
    "Labs": ["Software Development", "Biotechnology Research"],
    "Systems": ["IT Services and IT Consulting", "Manufacturing"],
    "Analytics": ["Software Development", "IT Services and IT Consulting"],
    "Health": ["Hospitals and Health Care", "Biotechnology Research"],
    "Capital": ["Venture Capital and Private Equity Principals", "Financial Services"],
    "Logistics": ["Logistics"],
    "Software": ["Software Development"],
    "Energy": ["Renewable Energy Power Generation"],
    "Media": ["Marketing Services", "Advertising Services"],
    "Robotics": ["Manufacturing", "Software Development"],
    "Foods": ["Food and Beverage Services", "Consumer Goods"],
    "Bank": ["Banking"],
    "Learning": ["E-Learning Providers", "Higher Education"],
    "Partners": ["Staffing and Recruiting", "Marketing Services"],
    "Cloud": ["Software Development", "Telecommunications"],
    "Security": ["Computer and Network Security"],
    "Insurance": ["Insurance"],
    "Retail": ["Retail"],
    "Homes": ["Real Estate"],
    "Telecom": ["Telecommunications"],
}
SIZE_BANDS = [
    ("1-10", 1, 10, 8),
    ("11-50", 11, 50, 22),
    ("51-200", 51, 200, 24),
    ("201-500", 201, 500, 16),
    ("501-1000", 501, 1000, 10),
    ("1001-5000", 1001, 5000, 10),
    ("5001-10000", 5001, 10000, 5),
    ("10001+", 10001, 120000, 5),
]
SIZE_ENUM = [band[0] for band in SIZE_BANDS]
TITLES = [
    ("CTO", 5),
    ("CEO", 4),
    ("Founder", 3),
    ("Co-Founder & CEO", 2),
    ("COO", 2),
    ("CFO", 2),
    ("Chief Revenue Officer", 2),
    ("VP Engineering", 3),
    ("Head of Sales", 4),
    ("Head of Marketing", 3),
    ("Head of Data", 2),
    ("Engineering Manager", 4),
    ("Software Engineer", 8),
    ("Senior Software Engineer", 6),
    ("DevOps Engineer", 3),
    ("Solutions Architect", 2),
    ("Data Scientist", 4),
    ("Product Manager", 5),
    ("Senior Product Manager", 3),
    ("UX Designer", 3),
    ("Account Executive", 5),
    ("Sales Development Representative", 4),
    ("Business Developer", 3),
    ("Marketing Manager", 4),
    ("Growth Lead", 2),
    ("Customer Success Manager", 3),
    ("Talent Acquisition Manager", 3),
    ("Recruiter", 3),
    ("HR Business Partner", 2),
    ("Operations Manager", 3),
]
TAGLINES = [
    "Building the future of B2B",
    "Scaling teams that ship",
    "Data-driven growth",
    "Ex-consultant",
    "Always learning",
    "Speaker & mentor",
    "Hiring!",
    "Open to new opportunities",
    "Angel investor",
    "Helping startups grow",
    "Passionate about AI",
    "Customer obsessed",
]
SCHOOLS = [
    "HEC Paris",
    "École Polytechnique",
    "INSEAD",
    "ESSEC Business School",
    "Sciences Po",
    "Stanford University",
    "MIT",
    "Harvard University",
    "University of Oxford",
    "University of Cambridge",
    "Imperial College London",
    "ETH Zürich",
    "Technical University of Munich",
    "Politecnico di Milano",
    "EPFL",
    "London School of Economics",
    "UC Berkeley",
    "University of Toronto",
    "IE Business School",
    "Université Paris-Saclay",
]
DEGREES = ["Master's degree", "Bachelor's degree", "MBA", "PhD", "Engineer's degree"]
FIELDS = ["Computer Science", "Business Administration", "Marketing", "Finance", "Data Science", "Economics"]
SKILLS = [
    "Python",
    "SaaS",
    "B2B Sales",
    "Leadership",
    "Product Management",
    "Machine Learning",
    "Go-to-Market",
    "Recruiting",
    "Negotiation",
    "Cloud Computing",
    "Kubernetes",
    "Growth Marketing",
    "Public Speaking",
    "Data Analysis",
    "Team Management",
    "Lead Generation",
    "UX Research",
    "Fundraising",
    "SQL",
    "Strategy",
]
LANGUAGES = ["English", "French", "German", "Spanish", "Italian", "Dutch", "Portuguese"]
TOPICS = [
    "how we cut our cloud bill by 40%",
    "lessons from hiring our first 20 engineers",
    "why outbound still works in 2026",
    "our Series A announcement",
    "what I learned from 100 customer calls",
    "the product launch we almost cancelled",
    "remote onboarding that actually works",
    "pricing experiments that moved the needle",
    "AI agents in sales: hype vs reality",
    "the best advice I got as a first-time manager",
    "building a data team from scratch",
    "our new office in Lisbon",
    "a mistake I made and what it taught me",
    "5 books that shaped my career",
]
POST_OPENERS = [
    "Excited to share {topic}.",
    "A few thoughts on {topic}.",
    "Thread: {topic} 🧵",
    "We just published a write-up on {topic}.",
    "Honest post about {topic}.",
]
COMMENT_TEXTS = [
    "Great insights, thanks for sharing!",
    "Congrats to the whole team 👏",
    "So true. We saw the same thing.",
    "Would love to hear more about this.",
    "Interesting take — how did you measure it?",
    "Bookmarked!",
    "This resonates a lot.",
    "Well said.",
    "Can you share the slides?",
    "Inspiring journey!",
]
MESSAGE_TEXTS_THEM = [
    "Hi! Thanks for connecting.",
    "Would you be open to a quick call next week?",
    "Sure, Tuesday works for me.",
    "Thanks for the intro!",
    "Sounds great, let's do it.",
    "Could you send me more details?",
    "I'll get back to you after our board meeting.",
    "Happy to help — what do you need?",
    "Interesting! Tell me more.",
    "Let's catch up soon.",
]
MESSAGE_TEXTS_ME = [
    "Hi, great to connect!",
    "Thanks for accepting my invitation.",
    "Here is the deck I mentioned.",
    "Does Thursday 10am work?",
    "Thanks, talk soon.",
    "I saw your post about scaling teams — very relevant.",
    "Let me know if I can help.",
    "Following up on my last message.",
]
REACTION_TYPES = ["LIKE", "PRAISE", "EMPATHY", "INTEREST", "APPRECIATION", "ENTERTAINMENT"]
CANDIDATE_RATINGS = ["UNRATED", "GOOD_FIT", "MAYBE", "NOT_A_FIT"]
WEBMAIL_DOMAINS = ("gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me")
DISPOSABLE_DOMAINS = ("mailinator.com", "yopmail.com", "10minutemail.com", "guerrillamail.com")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def slugify(text: str) -> str:
    table = str.maketrans("àâäáãçéèêëíìîïñóòôöõúùûüýÿ", "aaaaaceeeeiiiinooooouuuuyy")
    text = text.lower().translate(table)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _token(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _weighted(rng: random.Random, items: list[tuple[Any, int]]) -> Any:
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def month_label(ym: tuple[int, int] | None) -> str:
    if ym is None:
        return "Present"
    return f"{MONTHS[ym[1] - 1]} {ym[0]}"


def ago_label(ms: int, now_ms: int) -> tuple[str, int]:
    """LinkedIn-style relative time ('3d', '2w', '5mo') and the age in whole days."""
    days = max(0, (now_ms - ms) // DAY_MS)
    if days == 0:
        hours = max(1, (now_ms - ms) // 3_600_000)
        return f"{hours}h", 0
    if days < 7:
        return f"{days}d", days
    if days < 30:
        return f"{days // 7}w", days
    if days < 365:
        return f"{days // 30}mo", days
    return f"{days // 365}yr", days


# -- records ----------------------------------------------------------------------------


@dataclass
class Company:
    id: int
    slug: str
    name: str
    industry: str
    sector: str
    size: str
    employee_count: int
    location: str
    domain: str
    description: str
    founded: int
    followers: int
    specialties: list[str]
    catch_all: bool = False
    email_pattern: str = "first.last"

    @property
    def url(self) -> str:
        return f"{LINKEDIN}/company/{self.slug}/"

    @property
    def entity_urn(self) -> str:
        return f"urn:li:fsd_company:{self.id}"

    @property
    def logo_url(self) -> str:
        return f"https://media.licdn.com/dms/image/sandbox/company-logo_200_200/{self.slug}.png"


@dataclass
class Experience:
    title: str
    company: str  # company slug
    start: tuple[int, int]
    end: tuple[int, int] | None
    description: str


@dataclass
class Person:
    id: int
    public_id: str
    urn_id: str
    first_name: str
    last_name: str
    title: str
    company: str  # current company slug
    location: str
    headline: str
    summary: str
    school: str
    experiences: list[Experience]
    education: list[dict[str, Any]]
    skills: list[str]
    languages: list[str]
    degree: str  # network distance from the connected account: F, S, O (ME for itself)
    email: str | None
    phone: str | None
    followers_count: int
    connections_count: int
    connections: set[int] = field(default_factory=set)  # the person's own network (connection_of filter)
    follows: set[int] = field(default_factory=set)  # people this person follows (follower_of filter)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def profile_url(self) -> str:
        return f"{LINKEDIN}/in/{self.public_id}"

    @property
    def entity_urn(self) -> str:
        return f"urn:li:fsd_profile:{self.urn_id}"

    @property
    def picture(self) -> str:
        return f"https://media.licdn.com/dms/image/sandbox/profile-displayphoto_200_200/{self.public_id}.jpg"


@dataclass
class Message:
    urn: str
    text: str
    timestamp: int
    sender_id: int  # ME_ID for the connected account
    message_type: str = "TEXT"
    media: dict[str, Any] | None = None


@dataclass
class Conversation:
    id: str
    person_id: int
    messages: list[Message]  # oldest first
    unread: int
    category: str = "INBOX"
    last_seen_at: int | None = None

    @property
    def last_time(self) -> int:
        return self.messages[-1].timestamp if self.messages else 0


@dataclass
class Invitation:
    id: str
    person_id: int
    direction: str  # "received" | "sent"
    sent_at: int
    shared_secret: str
    message: str | None = None
    invitation_type: str = "CONNECTION"

    @property
    def entity_urn(self) -> str:
        return f"urn:li:invitation:{self.id}"  # the V2 pages' form (V1 showed urn:li:fsd_invitation:)


@dataclass
class Comment:
    urn: str
    tracking_id: str
    author_id: int
    text: str
    created_at: int
    replies: list[Comment] = field(default_factory=list)


@dataclass
class Reaction:
    id: str
    person_id: int
    reaction_type: str
    at: int


@dataclass
class Post:
    activity_id: str
    author_id: int | None  # a person (ME_ID for the account), or None for a company post
    company: str | None  # company slug for company-page posts
    text: str
    posted_at: int
    post_type: str  # text, image, video, article, document
    reactions: list[Reaction] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    reposts: int = 0
    impressions: int = 0
    media: list[dict[str, Any]] = field(default_factory=list)
    reposted_from: str | None = None

    @property
    def urn(self) -> str:
        return f"urn:li:activity:{self.activity_id}"

    @property
    def url(self) -> str:
        return f"{LINKEDIN}/feed/update/{self.urn}/"


@dataclass
class Candidate:
    application_id: str
    person_id: int
    job_id: str
    rating: str
    is_top_choice: bool
    applied_at: int
    years_of_experience: int


@dataclass
class Job:
    job_id: str
    title: str
    company: str  # slug
    location: str
    workplace: str
    employment_status: str
    status: str  # DRAFT, OPEN, CLOSED
    created_at: int
    description: str
    skills: list[str]
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{LINKEDIN}/jobs/view/{self.job_id}/"


@dataclass
class Viewer:
    person_id: int
    blurred: bool
    viewed_at: int
    blurred_title: str


@dataclass
class WebhookItem:
    """One event kept by a hosted webhook: `seq` orders them (and is in the event id)."""

    seq: int
    created_us: int  # epoch microseconds, strictly increasing
    view: dict[str, Any]  # {event_id, event, created_at}, as polled and streamed


@dataclass
class Webhook:
    webhook_id: str
    account_id: str
    url: str | None  # None: hosted mode (poll or stream); else custom mode (POSTed there)
    events: list[str]
    enable_signature: bool
    is_active: bool
    created_at: int
    secret: str | None = None
    items: list[WebhookItem] = field(default_factory=list)  # hosted mode only


@dataclass
class World:
    seed: int
    me: Person
    people: dict[int, Person]
    companies: dict[str, Company]
    connections: dict[int, int]  # person id -> connected_at (ms)
    conversations: dict[str, Conversation]
    invitations: dict[str, Invitation]
    viewers: list[Viewer]
    posts: dict[str, Post]
    jobs: dict[str, Job]
    visits: list[tuple[int, int]] = field(default_factory=list)  # (person id, at)
    time_spent: list[dict[str, Any]] = field(default_factory=list)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)  # ids for things created at run time
    clock_ms: int = T0_MS

    # indexes
    by_public_id: dict[str, int] = field(default_factory=dict)
    by_urn_id: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)

    def index(self) -> None:
        everyone = [self.me, *self.people.values()]
        self.by_public_id = {p.public_id.lower(): p.id for p in everyone}
        self.by_urn_id = {p.urn_id: p.id for p in everyone}
        self.by_email = {p.email.lower(): p.id for p in everyone if p.email}

    def person(self, pid: int) -> Person:
        return self.me if pid == ME_ID else self.people[pid]

    def company_of(self, person: Person) -> Company:
        return self.companies[person.company]

    def candidates(self) -> dict[str, Candidate]:
        return {c.application_id: c for job in self.jobs.values() for c in job.candidates}


# -- generation -------------------------------------------------------------------------


def _email_for(first: str, last: str, company: Company) -> str:
    f, la = slugify(first).replace("-", ""), slugify(last).replace("-", "")
    local = {
        "first.last": f"{f}.{la}",
        "flast": f"{f[0]}{la}",
        "first": f,
        "firstl": f"{f}{la[0]}",
    }[company.email_pattern]
    return f"{local}@{company.domain}"


def _companies(rng: random.Random, n: int = 100) -> dict[str, Company]:
    names: list[tuple[str, str]] = []
    combos = [(p, s) for p in COMPANY_PREFIXES for s in COMPANY_SUFFIXES]
    rng.shuffle(combos)
    names = combos[:n]
    out: dict[str, Company] = {}
    tlds = {"France": ".fr", "Germany": ".de", "United Kingdom": ".co.uk"}
    for i, (prefix, suffix) in enumerate(names, start=1):
        name = f"{prefix} {suffix}"
        slug = slugify(name)
        industry = rng.choice(COMPANY_SUFFIXES[suffix])
        band, low, high, _ = _weighted(rng, [(b, b[3]) for b in SIZE_BANDS])
        location = _weighted(rng, LOCATIONS)
        country = location.split(", ")[-1]
        domain = slug.replace("-", "") + (tlds.get(country) or rng.choice([".com", ".io", ".com", ".co"]))
        specialties = rng.sample(SKILLS, 4)
        out[slug] = Company(
            id=10_000_000 + i * 7919,
            slug=slug,
            name=name,
            industry=industry,
            sector=INDUSTRIES[industry],
            size=band,
            employee_count=rng.randint(low, high),
            location=location,
            domain=domain,
            description=f"{name} is a {INDUSTRIES[industry].lower()} company in {industry.lower()}, "
            f"headquartered in {location.split(',')[0]}. We focus on {', '.join(specialties[:2]).lower()}.",
            founded=rng.randint(1975, 2023),
            followers=rng.randint(80, 250_000),
            specialties=specialties,
            catch_all=rng.random() < 0.1,
            email_pattern=rng.choice(["first.last", "first.last", "flast", "first", "firstl"]),
        )
    # the connected account's own company
    out["sandbox-labs"] = Company(
        id=10_000_001,
        slug="sandbox-labs",
        name="Sandbox Labs",
        industry="Software Development",
        sector="Technology",
        size="11-50",
        employee_count=34,
        location="Paris, Île-de-France, France",
        domain="sandboxlabs.io",
        description="Sandbox Labs builds sales automation for B2B teams.",
        founded=2021,
        followers=4200,
        specialties=["SaaS", "B2B Sales", "Lead Generation", "Machine Learning"],
        email_pattern="first.last",
    )
    return out


def _experiences(rng: random.Random, title: str, company: str, slugs: list[str]) -> tuple[list[Experience], list[str]]:
    start_year = rng.randint(2016, 2025)
    exps = [Experience(title, company, (start_year, rng.randint(1, 12)), None, f"{title} — leading key initiatives.")]
    year = start_year
    for _ in range(rng.randint(1, 3)):
        end = (year, rng.randint(1, 12))
        year -= rng.randint(1, 4)
        past_title = _weighted(rng, TITLES)
        exps.append(Experience(past_title, rng.choice(slugs), (year, rng.randint(1, 12)), end, f"{past_title}."))
    return exps, [e.company for e in exps[1:]]


def _person(
    rng: random.Random,
    pid: int,
    first: str,
    last: str,
    public_id: str,
    title: str,
    company: Company,
    location: str,
    degree: str,
    slugs: list[str],
    companies: dict[str, Company],
) -> Person:
    tagline = rng.choice(TAGLINES)
    headline = f"{title} at {company.name}" + (f" | {tagline}" if rng.random() < 0.5 else "")
    school = rng.choice(SCHOOLS)
    exps, _ = _experiences(rng, title, company.slug, slugs)
    grad = exps[-1].start[0] - rng.randint(0, 2)
    education = [
        {
            "school": school,
            "school_url": f"{LINKEDIN}/school/{slugify(school)}/",
            "degree": rng.choice(DEGREES),
            "field_of_study": rng.choice(FIELDS),
            "date_range": f"{grad - 3} - {grad}",
        }
    ]
    email = _email_for(first, last, company) if rng.random() < 0.9 else None
    phone = f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return Person(
        id=pid,
        public_id=public_id,
        urn_id="ACoAA" + _token(rng, 34, string.ascii_letters + string.digits + "_-"),
        first_name=first,
        last_name=last,
        title=title,
        company=company.slug,
        location=location,
        headline=headline,
        summary=f"{title} at {company.name}. Previously at {companies[exps[1].company].name}. {tagline}.",
        school=school,
        experiences=exps,
        education=education,
        skills=rng.sample(SKILLS, rng.randint(4, 8)),
        languages=rng.sample(LANGUAGES, rng.randint(1, 3)),
        degree=degree,
        email=email,
        phone=phone if rng.random() < 0.4 else None,
        followers_count=rng.randint(50, 30_000),
        connections_count=rng.randint(50, 500),
    )


def generate_world(seed: int = 42, n_people: int = 400) -> World:
    rng = random.Random(seed)
    companies = _companies(rng)
    slugs = sorted(s for s in companies if s != "sandbox-labs")

    me_company = companies["sandbox-labs"]
    me = _person(
        rng,
        ME_ID,
        "Alex",
        "Morgan",
        "alex-morgan-sandbox",
        "Founder & CEO",
        me_company,
        "Paris, Île-de-France, France",
        "ME",
        slugs,
        companies,
    )
    me.headline = "Founder & CEO at Sandbox Labs | Sales automation for B2B teams"
    me.email = "alex.morgan@sandboxlabs.io"

    people: dict[int, Person] = {}
    used: set[str] = {me.public_id}
    for pid in range(1, n_people + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = slugify(f"{first} {last}")
        public_id = base if base not in used else f"{base}-{_token(rng, 6, '0123456789abcdef')}"
        used.add(public_id)
        # a few guaranteed leads for demos: CTOs in Paris
        if pid <= 6:
            title, location = "CTO", "Paris, Île-de-France, France"
        else:
            title, location = _weighted(rng, TITLES), _weighted(rng, LOCATIONS)
        company = companies[rng.choice(slugs)]
        degree = "F" if pid % 5 in (0, 1) else ("S" if pid % 5 in (2, 3) else "O")
        people[pid] = _person(rng, pid, first, last, public_id, title, company, location, degree, slugs, companies)

    ids = sorted(people)
    for pid in ids:  # each person's own network, symmetric; some followers
        for other in rng.sample(ids, rng.randint(2, 8)):
            if other != pid:
                people[pid].connections.add(other)
                people[other].connections.add(pid)
        people[pid].follows.update(o for o in rng.sample(ids, rng.randint(0, 6)) if o != pid)

    world = World(
        seed=seed,
        me=me,
        people=people,
        companies=companies,
        connections={},
        conversations={},
        invitations={},
        viewers=[],
        posts={},
        jobs={},
        rng=random.Random(seed + 1),
    )
    first_degree = [p for p in ids if people[p].degree == "F"]
    for pid in first_degree:
        world.connections[pid] = T0_MS - rng.randint(1, 900) * DAY_MS - rng.randint(0, DAY_MS)

    _invitations(rng, world, ids)
    _inbox(rng, world, first_degree)
    _viewers(rng, world, ids)
    _posts(rng, world, ids)
    _jobs(rng, world, ids)
    world.index()
    return world


def _invitations(rng: random.Random, world: World, ids: list[int]) -> None:
    strangers = [p for p in ids if world.people[p].degree != "F"]
    chosen = rng.sample(strangers, 30)
    for k, pid in enumerate(chosen):
        inv_id = str(7_300_000_000_000_000_000 + rng.randrange(10**15))
        received = k < 18
        world.invitations[inv_id] = Invitation(
            id=inv_id,
            person_id=pid,
            direction="received" if received else "sent",
            sent_at=T0_MS - rng.randint(0, 40) * DAY_MS - rng.randint(0, DAY_MS),
            shared_secret=_token(rng, 8, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            message=rng.choice([None, None, "Hi, I'd love to connect!", "We met at SaaStr — let's stay in touch."]),
            invitation_type="CONNECTION" if received and k % 6 else ("ORGANIZATION" if received else "CONNECTION"),
        )


def _inbox(rng: random.Random, world: World, first_degree: list[int]) -> None:
    for pid in rng.sample(first_degree, 34):
        conv_id = "2-" + _token(rng, 40, string.ascii_letters + string.digits)
        n = rng.randint(2, 24)
        t = T0_MS - rng.randint(0, 120) * DAY_MS - rng.randint(0, DAY_MS)
        times = sorted(t + i * rng.randint(60_000, 2 * DAY_MS) for i in range(n))
        times = [min(x, T0_MS - (n - i) * 1000) for i, x in enumerate(times)]  # strictly before T0
        messages = []
        for i, ts in enumerate(times):
            mine = rng.random() < 0.45
            messages.append(
                Message(
                    urn=f"urn:li:msg_message:(urn:li:fsd_profile:{world.me.urn_id},{conv_id}-{i})",
                    text=rng.choice(MESSAGE_TEXTS_ME if mine else MESSAGE_TEXTS_THEM),
                    timestamp=ts + i,
                    sender_id=ME_ID if mine else pid,
                )
            )
        unread = 0 if messages[-1].sender_id == ME_ID else min(rng.choice([0, 0, 1, 2]), n - 1)
        world.conversations[conv_id] = Conversation(
            id=conv_id,
            person_id=pid,
            messages=messages,
            unread=unread,
            category=rng.choice(["INBOX"] * 8 + ["ARCHIVE"]),
            last_seen_at=messages[-1].timestamp if unread == 0 else messages[-1 - unread].timestamp,
        )


def _viewers(rng: random.Random, world: World, ids: list[int]) -> None:
    for pid in rng.sample(ids, 37):
        blurred = rng.random() < 0.25
        company = world.company_of(world.people[pid])
        world.viewers.append(
            Viewer(
                person_id=pid,
                blurred=blurred,
                viewed_at=T0_MS - rng.randint(0, 89) * DAY_MS - rng.randint(0, DAY_MS),
                blurred_title=f"Someone at {company.name}",
            )
        )
    world.viewers.sort(key=lambda v: -v.viewed_at)


def _make_comment(rng: random.Random, author: int, at: int) -> Comment:
    cid = str(7_390_000_000_000_000_000 + rng.randrange(10**15))
    return Comment(
        urn=f"urn:li:comment:(urn:li:activity:0,{cid})",
        tracking_id=_token(rng, 22) + "==",
        author_id=author,
        text=rng.choice(COMMENT_TEXTS),
        created_at=at,
    )


def _posts(rng: random.Random, world: World, ids: list[int]) -> None:
    authors = [p for p in ids if world.people[p].degree == "F"] * 2 + ids
    for _ in range(140):
        activity_id = str(7_380_000_000_000_000_000 + rng.randrange(10**16))
        company_post = rng.random() < 0.12
        posted = T0_MS - rng.randint(0, 180) * DAY_MS - rng.randint(0, DAY_MS)
        topic = rng.choice(TOPICS)
        text = rng.choice(POST_OPENERS).format(topic=topic) + " " + rng.choice(TAGLINES) + "."
        post = Post(
            activity_id=activity_id,
            author_id=None if company_post else rng.choice(authors),
            company=rng.choice(sorted(world.companies)) if company_post else None,
            text=text,
            posted_at=posted,
            post_type=_weighted(rng, [("text", 5), ("image", 3), ("video", 1), ("article", 1), ("document", 1)]),
            reposts=rng.randint(0, 40),
            impressions=rng.randint(200, 90_000),
        )
        reactors = rng.sample(ids, rng.randint(0, 60))
        for r in reactors:
            post.reactions.append(
                Reaction(
                    id=f"{activity_id}-{r}",
                    person_id=r,
                    reaction_type=_weighted(
                        rng, [(t, w) for t, w in zip(REACTION_TYPES, [12, 4, 2, 2, 2, 1], strict=False)]
                    ),
                    at=posted + rng.randint(1, 5 * DAY_MS),
                )
            )
        for _c in range(rng.choice([0, 1, 2, 3, 5, 8, 14, 27])):
            c = _make_comment(rng, rng.choice(ids), posted + rng.randint(1, 4 * DAY_MS))
            c.urn = f"urn:li:comment:({post.urn},{c.urn.rsplit(',', 1)[1]}"
            if rng.random() < 0.2:
                reply = _make_comment(rng, rng.choice(ids), c.created_at + rng.randint(1, DAY_MS))
                reply.urn = f"urn:li:comment:({post.urn},{reply.urn.rsplit(',', 1)[1]}"
                c.replies.append(reply)
            post.comments.append(c)
        post.comments.sort(key=lambda c: -c.created_at)
        world.posts[activity_id] = post


def _jobs(rng: random.Random, world: World, ids: list[int]) -> None:
    specs = [
        ("Senior Backend Engineer", "Paris, Île-de-France, France", "HYBRID", "FULL_TIME", "OPEN", 64),
        ("Account Executive — DACH", "Berlin, Germany", "REMOTE", "FULL_TIME", "OPEN", 23),
        ("Product Designer", "Paris, Île-de-France, France", "ON_SITE", "FULL_TIME", "DRAFT", 0),
        ("Data Engineer (contract)", "Lyon, Auvergne-Rhône-Alpes, France", "REMOTE", "CONTRACT", "CLOSED", 9),
    ]
    for k, (title, location, workplace, employment, status, n) in enumerate(specs):
        job_id = str(4_100_000_000 + rng.randrange(10**8))
        skills = rng.sample(SKILLS, 5)
        job = Job(
            job_id=job_id,
            title=title,
            company="sandbox-labs",
            location=location,
            workplace=workplace,
            employment_status=employment,
            status=status,
            created_at=T0_MS - (40 - k * 7) * DAY_MS,
            description=f"<p>Sandbox Labs is hiring a {title}.</p><ul>"
            + "".join(f"<li>{s}</li>" for s in skills)
            + "</ul>",
            skills=skills,
        )
        for pid in rng.sample(ids, n):
            job.candidates.append(
                Candidate(
                    application_id=str(21_000_000_000 + rng.randrange(10**9)),
                    person_id=pid,
                    job_id=job_id,
                    rating=_weighted(rng, [("UNRATED", 6), ("GOOD_FIT", 3), ("MAYBE", 2), ("NOT_A_FIT", 1)]),
                    is_top_choice=rng.random() < 0.1,
                    applied_at=job.created_at + rng.randint(1, 30) * DAY_MS,
                    years_of_experience=rng.randint(0, 20),
                )
            )
        job.candidates.sort(key=lambda c: -c.applied_at)
        world.jobs[job_id] = job
