//! Which read route a path names, and the query string's parameters.

/// A read route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRoute {
    /// `/tenants/{tenant}/queue`.
    Queue {
        /// The tenant.
        tenant: String,
    },
    /// `/tenants/{tenant}/summary`.
    Summary {
        /// The tenant.
        tenant: String,
    },
    /// `/tenants/{tenant}/tickets/{id}` and the alias `/tickets/{tenant}/{id}`.
    Ticket {
        /// The tenant.
        tenant: String,
        /// The ticket's id.
        id: String,
    },
    /// `/dashboard/{tenant}`.
    Dashboard {
        /// The tenant.
        tenant: String,
    },
    /// `/dashboard/assets/{name}`.
    Asset {
        /// The asset's file name.
        name: String,
    },
}

impl ReadRoute {
    /// Parses a path, ignoring any prefix before `/tenants/`, `/tickets/` or
    /// `/dashboard/` (an API Gateway stage name) and a query string. Segments are
    /// percent-decoded.
    pub fn from_path(path: &str) -> Option<ReadRoute> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode_segment)
            .collect();
        let start = segments
            .iter()
            .position(|s| matches!(s.as_str(), "tenants" | "tickets" | "dashboard"))?;
        let rest: Vec<&str> = segments[start..].iter().map(String::as_str).collect();
        let owned = |s: &str| s.to_string();
        match rest.as_slice() {
            ["tenants", tenant, "queue"] => Some(Self::Queue {
                tenant: owned(tenant),
            }),
            ["tenants", tenant, "summary"] => Some(Self::Summary {
                tenant: owned(tenant),
            }),
            ["tenants", tenant, "tickets", id] | ["tickets", tenant, id] => Some(Self::Ticket {
                tenant: owned(tenant),
                id: owned(id),
            }),
            ["dashboard", "assets", name] => Some(Self::Asset { name: owned(name) }),
            ["dashboard", tenant] => Some(Self::Dashboard {
                tenant: owned(tenant),
            }),
            _ => None,
        }
    }

    /// The tenant the route reads, if any.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Self::Queue { tenant }
            | Self::Summary { tenant }
            | Self::Ticket { tenant, .. }
            | Self::Dashboard { tenant } => Some(tenant),
            Self::Asset { .. } => None,
        }
    }
}

fn decode_segment(segment: &str) -> String {
    // `+` is literal in a path; only percent escapes are decoded.
    let escaped = segment.replace('+', "%2B");
    form_urlencoded::parse(format!("s={escaped}").as_bytes())
        .next()
        .map_or_else(|| segment.to_string(), |(_, value)| value.into_owned())
}

/// The query string's parameters, decoded; empty values count as absent.
pub fn query_params(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// The value of parameter `name`, if given.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_routes_with_and_without_a_stage_prefix() {
        let queue = ReadRoute::Queue {
            tenant: "acme".into(),
        };
        assert_eq!(
            ReadRoute::from_path("/tenants/acme/queue"),
            Some(queue.clone())
        );
        assert_eq!(
            ReadRoute::from_path("/prod/tenants/acme/queue?x=1"),
            Some(queue)
        );
        let ticket = ReadRoute::Ticket {
            tenant: "acme".into(),
            id: "T 1".into(),
        };
        assert_eq!(
            ReadRoute::from_path("/tenants/acme/tickets/T%201"),
            Some(ticket.clone())
        );
        assert_eq!(ReadRoute::from_path("/tickets/acme/T%201"), Some(ticket));
        assert_eq!(
            ReadRoute::from_path("/dashboard/assets/app.js"),
            Some(ReadRoute::Asset {
                name: "app.js".into()
            })
        );
        assert_eq!(
            ReadRoute::from_path("/dashboard/acme"),
            Some(ReadRoute::Dashboard {
                tenant: "acme".into()
            })
        );
        assert_eq!(ReadRoute::from_path("/tenants/acme"), None);
        assert_eq!(ReadRoute::from_path("/tenants/acme/queue/extra"), None);
        assert_eq!(ReadRoute::from_path("/webhooks/acme/zendesk"), None);
    }

    #[test]
    fn query_parameters_are_decoded_and_empty_ones_dropped() {
        let params = query_params("?metric=&group=tier%201&assignee=a+b");
        assert_eq!(param(&params, "metric"), None);
        assert_eq!(param(&params, "group"), Some("tier 1"));
        assert_eq!(param(&params, "assignee"), Some("a b"));
    }
}
