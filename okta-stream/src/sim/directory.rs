//! The simulated org's directory: users, groups, apps, admins, and where people sign in from.
//!
//! Built once from the generator's seed, so every id is stable for a seed: a user keeps the same
//! `00u…` id, login, home city, IP address, ISP and browser in every event. The generator reads it
//! to fill in actors, targets, clients and security contexts; scenarios pick their victims and
//! attackers from it.

use super::rng::SimRng;

/// A place an IP address geolocates to, with the network it belongs to.
#[derive(Debug, Clone)]
pub struct Location {
    /// City name.
    pub city: &'static str,
    /// State or region.
    pub state: &'static str,
    /// Country name, as Okta writes it.
    pub country: &'static str,
    /// Postal code (a string, as in real events).
    pub postal_code: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// The network at this place.
    pub network: Network,
}

/// An autonomous system / ISP and the first two octets of the addresses it hands out.
#[derive(Debug, Clone, Copy)]
pub struct Network {
    /// Autonomous system number.
    pub as_number: u32,
    /// AS organisation.
    pub as_org: &'static str,
    /// ISP name.
    pub isp: &'static str,
    /// Reverse-DNS domain.
    pub domain: &'static str,
    /// First two octets of IPv4 addresses in this network.
    pub prefix: [u8; 2],
    /// Whether Okta flags the network as an anonymising proxy (VPN, Tor, hosting).
    pub is_proxy: bool,
}

const fn loc(
    city: &'static str,
    state: &'static str,
    country: &'static str,
    postal_code: &'static str,
    lat: f64,
    lon: f64,
    network: Network,
) -> Location {
    Location {
        city,
        state,
        country,
        postal_code,
        lat,
        lon,
        network,
    }
}

const fn net(
    as_number: u32,
    as_org: &'static str,
    isp: &'static str,
    domain: &'static str,
    a: u8,
    b: u8,
    is_proxy: bool,
) -> Network {
    Network {
        as_number,
        as_org,
        isp,
        domain,
        prefix: [a, b],
        is_proxy,
    }
}

/// Where employees live and work (the org is US/Europe/India based).
pub static HOME_LOCATIONS: &[Location] = &[
    loc(
        "San Francisco",
        "California",
        "United States",
        "94103",
        37.7749,
        -122.4194,
        net(
            7922,
            "comcast",
            "comcast cable communications llc",
            "comcast.net",
            73,
            162,
            false,
        ),
    ),
    loc(
        "Austin",
        "Texas",
        "United States",
        "78701",
        30.2672,
        -97.7431,
        net(
            11427,
            "charter communications inc",
            "charter communications",
            "rr.com",
            70,
            121,
            false,
        ),
    ),
    loc(
        "New York",
        "New York",
        "United States",
        "10013",
        40.7209,
        -74.0047,
        net(
            701,
            "verizon business",
            "verizon fios",
            "verizon.net",
            71,
            190,
            false,
        ),
    ),
    loc(
        "Chicago",
        "Illinois",
        "United States",
        "60606",
        41.8827,
        -87.6233,
        net(
            7018,
            "at&t services inc.",
            "at&t internet",
            "att.net",
            99,
            45,
            false,
        ),
    ),
    loc(
        "Seattle",
        "Washington",
        "United States",
        "98101",
        47.6101,
        -122.3344,
        net(
            7922,
            "comcast",
            "comcast cable communications llc",
            "comcast.net",
            24,
            16,
            false,
        ),
    ),
    loc(
        "London",
        "England",
        "United Kingdom",
        "EC2A",
        51.5223,
        -0.0834,
        net(
            2856,
            "british telecommunications plc",
            "bt",
            "bt.com",
            86,
            128,
            false,
        ),
    ),
    loc(
        "Berlin",
        "Land Berlin",
        "Germany",
        "10115",
        52.5321,
        13.3849,
        net(
            3320,
            "deutsche telekom ag",
            "deutsche telekom ag",
            "telekom.de",
            91,
            64,
            false,
        ),
    ),
    loc(
        "Paris",
        "Ile-de-France",
        "France",
        "75002",
        48.8674,
        2.3450,
        net(3215, "orange s.a.", "orange", "orange.fr", 90, 12, false),
    ),
    loc(
        "Dublin",
        "Leinster",
        "Ireland",
        "D02",
        53.3438,
        -6.2546,
        net(5466, "eircom limited", "eir", "eircom.net", 86, 44, false),
    ),
    loc(
        "Bengaluru",
        "Karnataka",
        "India",
        "560001",
        12.9716,
        77.5946,
        net(
            55836,
            "reliance jio infocomm limited",
            "reliance jio",
            "jio.com",
            49,
            37,
            false,
        ),
    ),
];

/// Places the org never signs in from: the "new country" and attack scenarios use them.
pub static UNUSUAL_LOCATIONS: &[Location] = &[
    loc(
        "Lagos",
        "Lagos",
        "Nigeria",
        "100001",
        6.4550,
        3.3941,
        net(
            37148,
            "globacom limited",
            "globacom",
            "gloworld.com",
            105,
            112,
            false,
        ),
    ),
    loc(
        "Bucharest",
        "Bucuresti",
        "Romania",
        "010011",
        44.4323,
        26.1063,
        net(
            9009,
            "m247 europe srl",
            "m247 ltd",
            "m247.com",
            185,
            220,
            true,
        ),
    ),
    loc(
        "Ho Chi Minh City",
        "Ho Chi Minh",
        "Vietnam",
        "700000",
        10.8231,
        106.6297,
        net(
            7552,
            "viettel group",
            "viettel corporation",
            "viettel.vn",
            116,
            110,
            false,
        ),
    ),
    loc(
        "Sao Paulo",
        "Sao Paulo",
        "Brazil",
        "01000-000",
        -23.5505,
        -46.6333,
        net(
            28573,
            "claro nxt telecomunicacoes ltda",
            "claro s.a.",
            "claro.com.br",
            177,
            92,
            false,
        ),
    ),
    loc(
        "Amsterdam",
        "North Holland",
        "Netherlands",
        "1012",
        52.3740,
        4.8897,
        net(
            14061,
            "digitalocean, llc",
            "digitalocean llc",
            "digitalocean.com",
            167,
            99,
            true,
        ),
    ),
];

/// A browser or client a user signs in with.
#[derive(Debug, Clone, Copy)]
pub struct UserAgent {
    /// The raw `User-Agent` header.
    pub raw: &'static str,
    /// Operating system, as Okta names it.
    pub os: &'static str,
    /// Browser, upper case as Okta writes it.
    pub browser: &'static str,
    /// Device class (`Computer`, `Mobile`).
    pub device: &'static str,
}

const fn ua(
    raw: &'static str,
    os: &'static str,
    browser: &'static str,
    device: &'static str,
) -> UserAgent {
    UserAgent {
        raw,
        os,
        browser,
        device,
    }
}

/// Everyday browsers.
pub static USER_AGENTS: &[UserAgent] = &[
    ua("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36", "Mac OS X", "CHROME", "Computer"),
    ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Windows 10", "EDGE_CHROMIUM", "Computer"),
    ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Windows 10", "FIREFOX", "Computer"),
    ua("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Mac OS X", "SAFARI", "Computer"),
    ua("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "iOS", "MOBILE_SAFARI", "Mobile"),
    ua("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36", "Linux", "CHROME", "Computer"),
];

/// Clients attackers use (scripts and headless browsers).
pub static ATTACKER_USER_AGENTS: &[UserAgent] = &[
    ua("python-requests/2.31.0", "Unknown", "UNKNOWN", "Unknown"),
    ua("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", "Linux", "CHROME", "Computer"),
    ua("curl/8.4.0", "Unknown", "UNKNOWN", "Unknown"),
];

const FIRST_NAMES: &[&str] = &[
    "Alice", "Bob", "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kavya", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar",
    "Vera", "Wei", "Yusuf", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Anderson", "Brooks", "Chen", "Dubois", "Eriksson", "Fischer", "Garcia", "Hughes", "Iyer",
    "Jensen", "Kowalski", "Lopez", "Murphy", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt",
    "Tanaka", "Walsh",
];
const GROUP_NAMES: &[&str] = &[
    "Everyone",
    "Engineering",
    "Sales",
    "Finance",
    "Human Resources",
    "Support",
    "Contractors",
    "VPN Users",
    "GitHub Admins",
    "AWS Production Access",
    "Okta Super Admins",
];
const APPS: &[(&str, &str)] = &[
    ("Salesforce.com", "salesforce"),
    ("Slack", "slack"),
    ("GitHub Enterprise Cloud", "githubcloud"),
    ("Google Workspace", "google"),
    ("Zoom", "zoomus"),
    ("Amazon Web Services", "amazon_aws"),
    ("Atlassian Cloud", "atlassian"),
    ("Workday", "workday"),
    ("Box", "boxnet"),
];

/// A person in the org.
#[derive(Debug, Clone)]
pub struct User {
    /// `00u…` id.
    pub id: String,
    /// Login (`first.last@domain`).
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Index into [`HOME_LOCATIONS`].
    pub home: usize,
    /// The address this user usually signs in from.
    pub ip: String,
    /// Index into [`USER_AGENTS`].
    pub user_agent: usize,
    /// Okta Verify device id (`guo…`).
    pub device_id: String,
    /// Okta Verify enrolment id (`pfd…`).
    pub enrollment_id: String,
    /// Whether the user holds an admin role.
    pub admin: bool,
    /// Indexes into [`Directory::groups`].
    pub groups: Vec<usize>,
}

/// A group.
#[derive(Debug, Clone)]
pub struct Group {
    /// `00g…` id.
    pub id: String,
    /// Name.
    pub name: &'static str,
}

/// An application instance.
#[derive(Debug, Clone)]
pub struct App {
    /// `0oa…` id.
    pub id: String,
    /// Label shown to users.
    pub label: &'static str,
    /// Okta's app name.
    pub name: &'static str,
}

/// The whole directory of one simulated org.
#[derive(Debug, Clone)]
pub struct Directory {
    /// The org's email domain.
    pub domain: String,
    /// Users, admins first.
    pub users: Vec<User>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Apps; the Okta Admin Console is last.
    pub apps: Vec<App>,
    /// The org's own id (`00o…`), the issuer of sessions.
    pub org_id: String,
}

/// Number of users in a generated directory.
pub const USER_COUNT: usize = 48;
/// Number of admins among them (the first users).
pub const ADMIN_COUNT: usize = 4;

impl Directory {
    /// Builds the directory for a seed.
    pub fn generate(rng: &mut SimRng) -> Directory {
        let domain = "acme.example".to_string();
        let groups: Vec<Group> = GROUP_NAMES
            .iter()
            .map(|&name| Group {
                id: rng.okta_id("00g"),
                name,
            })
            .collect();
        let mut apps: Vec<App> = APPS
            .iter()
            .map(|&(label, name)| App {
                id: rng.okta_id("0oa"),
                label,
                name,
            })
            .collect();
        apps.push(App {
            id: rng.okta_id("0oa"),
            label: "Okta Admin Console",
            name: "saasure",
        });
        let mut users = Vec::with_capacity(USER_COUNT);
        let mut taken = std::collections::HashSet::new();
        while users.len() < USER_COUNT {
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(LAST_NAMES);
            let login = format!(
                "{}.{}@{domain}",
                first.to_lowercase(),
                last.to_lowercase().replace('\'', "")
            );
            if !taken.insert(login.clone()) {
                continue;
            }
            let home = rng.index(HOME_LOCATIONS.len());
            let p = HOME_LOCATIONS[home].network.prefix;
            let ip = format!(
                "{}.{}.{}.{}",
                p[0],
                p[1],
                rng.range(0, 255),
                rng.range(1, 254)
            );
            let admin = users.len() < ADMIN_COUNT;
            let mut member_of = vec![0];
            for g in 1..groups.len() - 1 {
                if rng.chance(0.25) {
                    member_of.push(g);
                }
            }
            if admin {
                member_of.push(groups.len() - 1);
            }
            users.push(User {
                id: rng.okta_id("00u"),
                login,
                display_name: format!("{first} {last}"),
                home,
                ip,
                user_agent: rng.index(USER_AGENTS.len()),
                device_id: rng.okta_id("guo"),
                enrollment_id: rng.okta_id("pfd"),
                admin,
                groups: member_of,
            });
        }
        Directory {
            domain,
            users,
            groups,
            apps,
            org_id: rng.okta_id("00o"),
        }
    }

    /// Indexes of admin users.
    pub fn admins(&self) -> impl Iterator<Item = usize> + '_ {
        self.users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.admin)
            .map(|(i, _)| i)
    }

    /// The Okta Admin Console app.
    pub fn admin_console(&self) -> &App {
        &self.apps[self.apps.len() - 1]
    }

    /// Ordinary (non-admin-console) apps.
    pub fn user_apps(&self) -> &[App] {
        &self.apps[..self.apps.len() - 1]
    }
}
