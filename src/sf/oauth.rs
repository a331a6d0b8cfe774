//! OAuth as the Metadata API and Salesforce's policies spell it: the scopes a Connected App or an
//! External Client App may ask for, and what is being retired.

/// OAuth scopes (WSDL enum `ConnectedAppOauthAccessScope`).
pub const OAUTH_SCOPES: &[&str] = &[
    "Address",
    "Api",
    "Basic",
    "CDP",
    "CDPCalculatedInsight",
    "CDPIdentityResolution",
    "CDPIngest",
    "CDPProfile",
    "CDPQuery",
    "CDPSegment",
    "Chatbot",
    "Chatter",
    "Content",
    "CustomApplications",
    "CustomPermissions",
    "Eclair",
    "EinsteinGPT",
    "Email",
    "ForgotPassword",
    "Full",
    "Interaction",
    "Lightning",
    "OfflineAccess",
    "OpenID",
    "Pardot",
    "Phone",
    "Profile",
    "PwdlessLogin",
    "RefreshToken",
    "SFAP",
    "UserRegistration",
    "Wave",
    "Web",
];

/// Common spellings of scopes as OAuth or Setup names them, mapped to the Metadata API name.
pub const SCOPE_ALIASES: &[(&str, &str)] = &[
    ("api", "Api"),
    ("full", "Full"),
    ("web", "Web"),
    ("refresh_token", "RefreshToken"),
    ("offline_access", "RefreshToken"),
    ("openid", "OpenID"),
    ("id", "Basic"),
    ("chatter_api", "Chatter"),
    ("visualforce", "Web"),
];

/// When the OAuth username-password flow stops working for Connected Apps (Salesforce Help
/// 005461976: enforced on 20 February 2027, with no extension).
pub const USERNAME_PASSWORD_RETIREMENT: &str = "the username-password flow stops working for Connected Apps on 20 February 2027 (Salesforce Help 005461976, no extension): move the vendor to the client credentials flow of an External Client App before then";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_sorted_and_unique_and_aliases_name_them() {
        for pair in OAUTH_SCOPES.windows(2) {
            assert!(pair[0] < pair[1], "{:?} before {:?}", pair[0], pair[1]);
        }
        for (alias, scope) in SCOPE_ALIASES {
            assert!(OAUTH_SCOPES.contains(scope), "{alias} -> {scope}");
        }
    }
}
