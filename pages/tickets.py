"""Internal tickets: opened, promised by, closed; the share closed within the promised time by month, and open tickets
whose promise has passed."""
import streamlit as st

from data.programme import overdue_tickets, ticket_months, tickets
from metrics.calc import monthly
from ui.access import require
from ui.grid import edit_table
from ui.programme import month_name, page_head, share_chart
from ui.session import get_store

require("lead")
store = get_store()
page_head(store, "Internal tickets", "Internal customers are told when their ticket will be done. Closing within that "
          "promise is a leading indicator of how they feel about the service they get.")

chart, late = st.columns([3, 2], gap="large")
with chart:
    st.header("Closed within promise, by month")
    figures = monthly(store)
    within = figures[figures["metric"] == "tickets_within_promise"].dropna(subset=["value"])
    if within.empty:
        st.info("No ticket has been closed yet.", icon=":material/info:")
    else:
        st.plotly_chart(share_chart(within, "Closed within promise"), key="tickets_share_chart",
                        config={"displayModeBar": False})
with late:
    overdue = overdue_tickets(store)
    st.header(f"Overdue open tickets: {len(overdue)}")
    if overdue.empty:
        st.caption("No open ticket is past its promised time.")
    else:
        # How late comes first: in a half-width column the last columns are the ones cut off.
        st.dataframe(overdue, hide_index=True, width="stretch",
                     column_order=("ticket_id", "days_overdue", "unit", "promised_by", "opened_at"), column_config={
            "ticket_id": "Ticket", "unit": "Unit",
            "opened_at": st.column_config.DatetimeColumn("Opened", format="YYYY-MM-DD HH:mm"),
            "promised_by": st.column_config.DatetimeColumn("Promised by", format="YYYY-MM-DD HH:mm"),
            "days_overdue": st.column_config.NumberColumn("Days overdue", format="%.1f")})

st.header("Tickets")
months = ticket_months(store)
month = st.selectbox("Opened in", months or [None], key="tickets_month", format_func=month_name,
                     help="The grid lists one month's tickets; a ticket added here may be of any month.")
st.caption("Times as YYYY-MM-DD HH:MM. Leave Closed empty while the ticket is open.")
edit_table(store, "tickets", tickets(store, month, month), f"tickets_grid:{month}")
