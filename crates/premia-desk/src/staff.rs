//! Staff roles and what each may do. The server checks [`Role::may`] on every staff route; the desk page
//! asks the same question only to decide which buttons to show.

use serde::{Deserialize, Serialize};

use premia_core::Text;

/// A staff member's role. Stored by name (`staff.role`); the database's `staff_roles` table lists the
/// same names, and a test keeps the two in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Decides referred cases (核保员).
    Underwriter,
    /// Decides cases and gives the second, agreeing decision on high-risk ones (高级核保员).
    SeniorUnderwriter,
    /// Decides cases, settles disagreements between reviewers, sees the figures (核保经理).
    Manager,
    /// Sees figures (the desk's times, the premium dashboard), never a person's case (数据分析).
    Analyst,
}

/// What a route or a button needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The queue and a case's personal data (access is written to the audit log).
    ViewCases,
    /// A first decision on an open or waiting case.
    Decide,
    /// The second decision on a high-risk case: agree, or disagree with a decision of one's own.
    Review,
    /// Settle a disagreement by choosing one of the two decisions.
    Resolve,
    /// The desk's figures: queue size, times to decision (no personal data).
    ViewStats,
    /// The premium dashboard's figures (no personal data): managers and analysts.
    ViewDashboard,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Underwriter, Role::SeniorUnderwriter, Role::Manager, Role::Analyst];

    pub fn name(self) -> &'static str {
        match self {
            Role::Underwriter => "underwriter",
            Role::SeniorUnderwriter => "senior_underwriter",
            Role::Manager => "manager",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn label(self) -> Text {
        match self {
            Role::Underwriter => Text::fixed("核保员", "underwriter"),
            Role::SeniorUnderwriter => Text::fixed("高级核保员", "senior underwriter"),
            Role::Manager => Text::fixed("核保经理", "manager"),
            Role::Analyst => Text::fixed("数据分析员", "analyst"),
        }
    }

    /// Whether this role may do `permission`.
    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ViewCases | Decide => matches!(self, Underwriter | SeniorUnderwriter | Manager),
            Review => self == SeniorUnderwriter,
            Resolve => self == Manager,
            ViewStats => true,
            ViewDashboard => matches!(self, Manager | Analyst),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.name());
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn analysts_never_see_a_case_and_only_seniors_review() {
        assert!(!Role::Analyst.may(Permission::ViewCases));
        assert!(Role::Analyst.may(Permission::ViewStats));
        let reviewers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may(Permission::Review)).collect();
        assert_eq!(reviewers, [Role::SeniorUnderwriter]);
        let resolvers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may(Permission::Resolve)).collect();
        assert_eq!(resolvers, [Role::Manager]);
    }
}
