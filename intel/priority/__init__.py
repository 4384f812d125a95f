"""Priority offenders: the transparent candidate score (``scoring``), the designation workflow
(``designations``), the list health report (``health``), alternative treatment
(``treatment``) and the prosecutor's brief (``brief``)."""
