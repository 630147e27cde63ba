//! Reading Dockerfiles: `FROM` references and their substitution, stages, the files
//! `COPY`/`ADD` bring in, and step counts.
