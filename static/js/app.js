// The page's JavaScript entry point, loaded as a module. Every page works without it: this only
// adds GOV.UK Frontend's enhancements (error summary focus, service navigation menu, buttons...).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
