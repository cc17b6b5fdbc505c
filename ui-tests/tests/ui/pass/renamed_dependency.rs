//! The app of `supervision-ui-renamed`, declared with `sv::supervision!`.

use supervision::App;
use supervision_ui_renamed::{Renamed, RenamedRole};

fn main() {
    assert_eq!(Renamed::START_ORDER, [RenamedRole::First, RenamedRole::Second]);
    assert_eq!(Renamed::spec().dependencies(RenamedRole::Second), &[RenamedRole::First]);
}
