"""Self-review pages (frameworks app). Every view fetches its review through the acting scope
(outside it: 404) and then asks a named permission of sendreview.roles (inside it without the
right: 403). Forms never carry the school or the status; services re-check the status they need
under a row lock."""
