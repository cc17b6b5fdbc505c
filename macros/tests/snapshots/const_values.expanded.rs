/// The `Tuned` app, declared with `supervision!`.
pub struct Tuned {
    /// The service run as role `db`.
    pub db: Db,
}
/// The roles of [`Tuned`], in declaration order.
#[derive(
    ::supervision::__private::Clone,
    ::supervision::__private::Copy,
    ::supervision::__private::PartialEq,
    ::supervision::__private::Eq,
    ::supervision::__private::PartialOrd,
    ::supervision::__private::Ord,
    ::supervision::__private::Hash,
    ::supervision::__private::Debug,
)]
pub enum TunedRole {
    /// The `db` role.
    Db,
}
impl TunedRole {
    /// Every role of [`Tuned`], in declaration order.
    pub const ALL: [TunedRole; 1] = [TunedRole::Db];
    /// The role's lease name.
    pub fn name(self) -> &'static ::core::primitive::str {
        <Self as ::supervision::__private::Role>::name(self)
    }
}
impl ::supervision::__private::Role for TunedRole {
    fn index(self) -> ::core::primitive::usize {
        self as ::core::primitive::usize
    }
    fn name(self) -> &'static ::core::primitive::str {
        const NAMES: [&::core::primitive::str; 1] = ["db"];
        NAMES[self as ::core::primitive::usize]
    }
}
impl ::supervision::__private::fmt::Display for TunedRole {
    fn fmt(
        &self,
        f: &mut ::supervision::__private::fmt::Formatter<'_>,
    ) -> ::supervision::__private::fmt::Result {
        f.write_str(<Self as ::supervision::__private::Role>::name(*self))
    }
}
impl ::supervision::__private::serde::Serialize for TunedRole {
    fn serialize<S: ::supervision::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::supervision::__private::Result<S::Ok, S::Error> {
        serializer.serialize_str(<Self as ::supervision::__private::Role>::name(*self))
    }
}
impl<'de> ::supervision::__private::serde::Deserialize<'de> for TunedRole {
    fn deserialize<D: ::supervision::__private::serde::Deserializer<'de>>(
        deserializer: D,
    ) -> ::supervision::__private::Result<Self, D::Error> {
        ::supervision::__private::deserialize_role(
            deserializer,
            <Tuned as ::supervision::__private::App>::spec().roles(),
        )
    }
}
impl Tuned {
    /// The order roles start in: dependencies first, earliest declared first.
    pub const START_ORDER: [TunedRole; 1] = [TunedRole::Db];
    /// The order roles stop in: the reverse of [`Self::START_ORDER`].
    pub const STOP_ORDER: [TunedRole; 1] = [TunedRole::Db];
}
impl ::supervision::__private::App for Tuned {
    type Role = TunedRole;
    fn spec() -> &'static ::supervision::__private::AppSpec<TunedRole> {
        /// Every role's defaults: each role below writes what it changes.
        const DEFAULTS: ::supervision::__private::RoleSpec<TunedRole> = ::supervision::__private::RoleSpec {
            role: TunedRole::Db,
            lease: "",
            optional: false,
            dependencies: &[],
            dependents: &[],
            after: &[],
            followers: &[],
            restart: ::supervision::__private::RestartPolicy::DEFAULT,
            ready: ::supervision::__private::Readiness::Spawned,
            stop: ::supervision::__private::StopAction::DEFAULT,
            watchdog: ::supervision::__private::None,
        };
        static SPEC: ::supervision::__private::AppSpec<TunedRole> = ::supervision::__private::AppSpec {
            name: "Tuned",
            strategy: ::supervision::__private::Strategy::RestForOne,
            intensity: ::supervision::__private::None,
            shutdown_timeout: <Tuned as ::supervision::__private::Setting<
                ::supervision::__private::Duration,
                0,
            >>::VALUE,
            roles: &[
                ::supervision::__private::RoleSpec {
                    role: TunedRole::Db,
                    lease: "db",
                    restart: ::supervision::__private::RestartPolicy::Permanent {
                        budget: ::supervision::__private::Budget {
                            max_restarts: <Tuned as ::supervision::__private::Setting<
                                ::core::primitive::u32,
                                1,
                            >>::VALUE,
                            window: ::supervision::__private::Duration::from_secs(10),
                        },
                        backoff: ::supervision::__private::Backoff::Exponential {
                            min: <Tuned as ::supervision::__private::Setting<
                                ::supervision::__private::Duration,
                                2,
                            >>::VALUE,
                            max: ::supervision::__private::Duration::from_secs(1),
                        },
                    },
                    ready: ::supervision::__private::Readiness::Signaled {
                        timeout: <Tuned as ::supervision::__private::Setting<
                            ::supervision::__private::Duration,
                            3,
                        >>::VALUE,
                    },
                    stop: &[
                        ::supervision::__private::StopAction::ReleaseLease,
                        ::supervision::__private::StopAction::Stop {
                            timeout: <Tuned as ::supervision::__private::Setting<
                                ::supervision::__private::Duration,
                                4,
                            >>::VALUE,
                        },
                    ],
                    ..DEFAULTS
                },
            ],
            all: &[TunedRole::Db],
            start_order: &[TunedRole::Db],
            stop_order: &[TunedRole::Db],
        };
        &SPEC
    }
    fn into_services(
        self,
    ) -> ::supervision::__private::Vec<::supervision::__private::ErasedService> {
        <[::supervision::__private::ErasedService]>::into_vec(
            ::supervision::__private::Box::new([
                ::supervision::__private::service::<Db>(self.db),
            ]),
        )
    }
}
/// `config::SHUTDOWN`, bound once for the spec and its checks.
impl ::supervision::__private::Setting<::supervision::__private::Duration, 0> for Tuned {
    const VALUE: ::supervision::__private::Duration = config::SHUTDOWN;
}
/// `RESTARTS`, bound once for the spec and its checks.
impl ::supervision::__private::Setting<::core::primitive::u32, 1> for Tuned {
    const VALUE: ::core::primitive::u32 = RESTARTS;
}
/// `MIN`, bound once for the spec and its checks.
impl ::supervision::__private::Setting<::supervision::__private::Duration, 2> for Tuned {
    const VALUE: ::supervision::__private::Duration = MIN;
}
/// `{ Duration::from_secs(3) }`, bound once for the spec and its checks.
impl ::supervision::__private::Setting<::supervision::__private::Duration, 3> for Tuned {
    const VALUE: ::supervision::__private::Duration = { Duration::from_secs(3) };
}
/// `STOP`, bound once for the spec and its checks.
impl ::supervision::__private::Setting<::supervision::__private::Duration, 4> for Tuned {
    const VALUE: ::supervision::__private::Duration = STOP;
}
const _: () = {
    use ::supervision::__private::check::not_zero as check;
    check(
        <Tuned as ::supervision::__private::Setting<
            ::supervision::__private::Duration,
            0,
        >>::VALUE,
        "`shutdown_timeout` must be longer than zero",
    )
};
const _: () = {
    use ::supervision::__private::check::count_not_zero as check;
    check(
        <Tuned as ::supervision::__private::Setting<::core::primitive::u32, 1>>::VALUE,
        "a budget of 0 restarts allows none; use `restart: temporary` for a role never restarted",
    )
};
const _: () = {
    use ::supervision::__private::check::ordered as check;
    check(
        <Tuned as ::supervision::__private::Setting<
            ::supervision::__private::Duration,
            2,
        >>::VALUE,
        ::supervision::__private::Duration::from_secs(1),
        "backoff minimum `MIN` is greater than its maximum `1s`; swap them: `exponential(1s, MIN)`",
    )
};
const _: () = {
    use ::supervision::__private::check::not_zero as check;
    check(
        <Tuned as ::supervision::__private::Setting<
            ::supervision::__private::Duration,
            2,
        >>::VALUE,
        "backoff minimum must be longer than zero",
    )
};
const _: () = {
    use ::supervision::__private::check::not_zero as check;
    check(
        <Tuned as ::supervision::__private::Setting<
            ::supervision::__private::Duration,
            3,
        >>::VALUE,
        "readiness timeout must be longer than zero",
    )
};
/// Typed keys of [`Tuned`]'s roles, one per role (`tuned::db`): `AppHandle::get` reads the handle a role publishes, and so does `Context::deps` for the roles that depend on it.
pub mod tuned {
    #![allow(non_camel_case_types)]
    /// The key of role `db`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct db;
}
impl ::supervision::__private::RoleKey for tuned::db {
    type Role = TunedRole;
    const ROLE: TunedRole = TunedRole::Db;
    const APP_ROLES: ::core::primitive::usize = 1;
}
impl ::supervision::__private::ServedBy<Db> for tuned::db {}
